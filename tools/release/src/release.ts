/**
 * `canaryship release`: version from changesets, commit, render and validate, publish every
 * environment version not yet published, tag git. Safe to rerun: a version already tagged is
 * skipped, and publishing a version that exists with the same content uploads nothing.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, ToolFailed } from '@canaryship/toolchain';
import { PublishError } from './errors.js';
import { git } from './git.js';
import type { RegistryAddress } from './oci/registry-address.js';
import { publish, type PublishResult } from './publish.js';
import { NX_ENV, runTargets } from './versioning/affected.js';

export interface ReleaseOptions {
  readonly cwd: string;
  readonly layoutRoot: string;
  readonly registry?: RegistryAddress;
  readonly requestTimeoutMs?: number;
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

export async function release(options: ReleaseOptions): Promise<ReleaseResult> {
  const { cwd } = options;
  const progress = options.onProgress ?? (() => undefined);
  const before = new Map((await workspacePackages(cwd)).map((p) => [p.name, p.version]));

  const step = async (what: string, program: string, args: string[]): Promise<void> => {
    try {
      await run(program, args, { cwd });
    } catch (error) {
      if (error instanceof ToolFailed) throw new PublishError(`${what} failed: ${error.message}`, { code: 'release.step-failed' });
      throw error;
    }
  };
  progress('changeset version');
  await step('changeset version', 'npx', ['--no-install', 'changeset', 'version']);
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
      }),
    );
  }
  // Tags last: a tag says "released", which is only true once its artifact is published.
  const tags = untagged.map((p) => `${p.name}@${p.version}`);
  for (const tag of tags) await git(cwd, 'tag', tag);
  if (tags.length > 0) progress(`tagged ${tags.join(', ')}`);
  return { versioned, published, tags };
}
