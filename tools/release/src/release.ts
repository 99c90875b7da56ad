/**
 * `canaryship release`: version from changesets, commit, render and validate, publish every
 * environment version not yet published, tag git. Safe to rerun: a version already tagged is
 * skipped, and publishing a version that exists with the same content uploads nothing.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, ToolFailed } from '@canaryship/toolchain';
import type getReleasePlan from '@changesets/get-release-plan';
import { contract } from './contract/contract.js';
import { PublishError } from './errors.js';
import { git } from './git.js';
import { LOCK_FILE } from './images/lock.js';
import { imageUses, missingImages, unpinnedImages } from './images/pin.js';
import type { RegistryAddress } from './oci/registry-address.js';
import { publish, type PublishOptions, type PublishResult } from './publish.js';
import { NX_ENV, runTargets } from './versioning/affected.js';

export interface ReleaseOptions {
  readonly cwd: string;
  readonly layoutRoot: string;
  readonly registry?: RegistryAddress;
  readonly requestTimeoutMs?: number;
  /** Only check the pending releases against what providers rely on; write nothing. */
  readonly check?: boolean;
  /** Where to ask for the images' registries' manifests instead (mirrors holding the same ones). */
  readonly imageMirrors?: ReadonlyMap<string, RegistryAddress>;
  /** The provider bundle renderer of an environment package: each release's bundle is published beside it. */
  readonly bundleOf?: (packageDir: string) => PublishOptions['bundle'];
  readonly onProgress?: (message: string) => void;
}

export interface ReleaseResult {
  readonly versioned: readonly string[];
  readonly published: readonly PublishResult[];
  readonly tags: readonly string[];
}

interface WorkspacePackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
}

async function workspacePackages(cwd: string): Promise<WorkspacePackage[]> {
  const packages: WorkspacePackage[] = [];
  for (const group of ['packages', 'environments']) {
    for (const entry of (await readdir(join(cwd, group))).sort()) {
      const manifest = JSON.parse(await readFile(join(cwd, group, entry, 'package.json'), 'utf8').catch(() => 'null')) as { name: string; version: string; private?: boolean } | null;
      if (manifest && !manifest.private) packages.push({ name: manifest.name, version: manifest.version, dir: join(group, entry) });
    }
  }
  return packages;
}

type ReleasePlan = Awaited<ReturnType<typeof getReleasePlan>>;

/**
 * Providers run exactly what was tested: every image of a distribution released goes by digest,
 * and its registry (or the mirror named for it) serves that digest.
 */
async function requirePinnedImages(options: ReleaseOptions, dirs: readonly string[], nothingWritten: boolean): Promise<void> {
  const uses = await imageUses(dirs.map((dir) => join(options.cwd, dir)));
  const unpinned = unpinnedImages(uses);
  const untouched = nothingWritten ? ' (nothing was versioned or published)' : ', then run release again to publish';
  if (unpinned.length > 0) {
    throw new PublishError(`${unpinned.length} image${unpinned.length === 1 ? '' : 's'} of the release not pinned to a digest:\n  ${unpinned.join('\n  ')}`, {
      code: 'release.unpinned-images',
      hint: `run canaryship pin-images, render (npm run build) and commit ${LOCK_FILE}${untouched}`,
    });
  }
  const missing = await missingImages(uses, {
    ...(options.imageMirrors && { mirrors: options.imageMirrors }),
    ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.onProgress && { onProgress: options.onProgress }),
  });
  if (missing.length > 0) {
    throw new PublishError(`${missing.length} pinned image${missing.length === 1 ? '' : 's'} of the release not served by ${missing.length === 1 ? 'its registry' : 'their registries'}:\n  ${missing.join('\n  ')}`, {
      code: 'release.missing-images',
      hint: `pin them again (canaryship pin-images), render and commit ${LOCK_FILE}${untouched}`,
    });
  }
}

/**
 * Before anything is written: every environment the pending changesets release is rendered and
 * compared with its last published version. A change that breaks providers must arrive as a
 * version their subscription ranges exclude (a major; for 0.x a minor), or the release stops here.
 */
async function checkContracts(options: ReleaseOptions, packages: readonly WorkspacePackage[], plan: ReleasePlan): Promise<void> {
  const planned = plan.releases.flatMap((r) => {
    const pkg = packages.find((p) => p.name === r.name && p.dir.startsWith('environments/'));
    return pkg && r.type !== 'none' ? [{ ...pkg, newVersion: r.newVersion }] : [];
  });
  if (planned.length === 0) return;
  options.onProgress?.(`checking what ${planned.map((p) => `${p.name}@${p.newVersion}`).join(', ')} would break for providers`);
  await runTargets(options.cwd, ['build'], planned.map((p) => p.name));
  await requirePinnedImages(options, planned.map((p) => p.dir), true);
  for (const pkg of planned) {
    const result = await contract({
      packageDir: join(options.cwd, pkg.dir),
      version: pkg.newVersion,
      layoutRoot: options.layoutRoot,
      ...(options.registry && { registry: options.registry }),
      ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
    });
    if (!result.refused) continue;
    const listed = result.breaking.slice(0, 5).map((b) => `${b.object}: ${b.detail} (for ${b.affects})`);
    const more = result.breaking.length > listed.length ? [`and ${result.breaking.length - listed.length} more (canaryship contract ${pkg.dir} --version ${pkg.newVersion})`] : [];
    throw new PublishError(`${pkg.name}@${pkg.newVersion} breaks what providers of ${result.baseline} rely on:\n  ${[...listed, ...more].join('\n  ')}`, {
      code: 'release.breaking-change',
      hint: `release it as a new major version: add a changeset with '${pkg.name}': major (nothing was versioned or published)`,
    });
  }
}

/** What the pending changesets would release; a changeset Changesets cannot read is the user's to fix, not a bug. */
async function releasePlan(cwd: string): Promise<ReleasePlan> {
  // Loaded here: Changesets' reader and its file-system stack cost every other command of the CLI a sixth of a second.
  const readPlan = (await import('@changesets/get-release-plan')).default;
  try {
    return await readPlan(cwd);
  } catch (error) {
    throw new PublishError(`the pending changesets cannot be read: ${(error as Error).message}`, { code: 'release.changesets', hint: 'fix or remove the changeset in .changeset/ that it names (nothing was versioned or published)' });
  }
}

export async function release(options: ReleaseOptions): Promise<ReleaseResult> {
  const { cwd } = options;
  const progress = options.onProgress ?? (() => undefined);
  const packages = await workspacePackages(cwd);
  const before = new Map(packages.map((p) => [p.name, p.version]));

  const step = async (what: string, program: string, args: string[]): Promise<void> => {
    try {
      await run(program, args, { cwd });
    } catch (error) {
      if (error instanceof ToolFailed) throw new PublishError(`${what} failed: ${error.message}`, { code: 'release.step-failed' });
      throw error;
    }
  };
  const plan = await releasePlan(cwd);
  await checkContracts(options, packages, plan);
  if (options.check) return { versioned: [], published: [], tags: [] };
  // Changesets 3 fails `version` when no changeset is pending; a rerun then only tags and publishes what is not yet.
  if (plan.changesets.length > 0) {
    progress('changeset version');
    await step('changeset version', 'npx', ['--no-install', 'changeset', 'version']);
  }
  const after = await workspacePackages(cwd);
  const versioned = after.filter((p) => before.get(p.name) !== p.version).map((p) => `${p.name}@${p.version}`);
  if (versioned.length > 0) {
    progress(`versioned ${versioned.join(', ')}; refreshing the lockfile and committing`);
    await step('refreshing the lockfile', 'npm', ['install', '--package-lock-only', '--no-audit', '--no-fund']);
    // Only what `changeset version` and the lockfile refresh touch (git refuses a path that is not there).
    const touched = ['.changeset', 'package-lock.json', 'packages', 'environments', 'tools'].filter((path) => existsSync(join(cwd, path)));
    await git(cwd, 'add', '-A', '--', ...touched);
    // Committed before publishing: an artifact's `created` is the time of this commit.
    await git(cwd, 'commit', '-m', `release: ${versioned.join(', ')}`);
  }

  const existingTags = new Set((await git(cwd, 'tag', '--list')).split('\n'));
  const untagged = after.filter((p) => !existingTags.has(`${p.name}@${p.version}`));
  const environments = untagged.filter((p) => p.dir.startsWith('environments/'));
  if (environments.length > 0) {
    progress(`rendering and validating ${environments.map((p) => p.name).join(', ')}`);
    await runTargets(cwd, ['build', 'validate'], environments.map((p) => p.name));
    await requirePinnedImages(options, environments.map((p) => p.dir), false);
  }
  const published: PublishResult[] = [];
  for (const pkg of environments) {
    published.push(
      await publish({
        packageDir: join(cwd, pkg.dir),
        layoutRoot: options.layoutRoot,
        ...(options.registry && { registry: options.registry }),
        ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
        onProgress: progress,
        env: { ...process.env, ...NX_ENV },
        ...(options.bundleOf && { bundle: options.bundleOf(join(cwd, pkg.dir)) }),
      }),
    );
  }
  // Tags last: a tag says "released", which is only true once its artifact is published.
  const tags = untagged.map((p) => `${p.name}@${p.version}`);
  for (const tag of tags) await git(cwd, 'tag', tag);
  if (tags.length > 0) progress(`tagged ${tags.join(', ')}`);
  return { versioned, published, tags };
}
