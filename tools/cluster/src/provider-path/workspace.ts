/**
 * The vendor's side of a provider's path: an environment package in a git repository of its own,
 * whose commits are its releases (publish reads the release commit), published to a registry.
 * The end-to-end runs (kind, the local control plane) release from a copy of a rendered dist, so
 * the repository's own history and packages are never touched.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CanaryshipError, type EnvironmentName } from '@canaryship/blocks';
import { publish, type PublishOptions } from '@canaryship/release';
import { writeReleases, type ServiceRelease } from '../canary-runs/overlay.js';

/** Every release commit's time: the same sources give the same artifacts, run after run. */
export const RELEASED_AT = '2026-01-01T00:00:00Z';

const GIT_ENV = { ...process.env, GIT_AUTHOR_DATE: RELEASED_AT, GIT_COMMITTER_DATE: RELEASED_AT, GIT_AUTHOR_NAME: 'canaryship e2e', GIT_AUTHOR_EMAIL: 'e2e@example.invalid', GIT_COMMITTER_NAME: 'canaryship e2e', GIT_COMMITTER_EMAIL: 'e2e@example.invalid' };

/** Marks a directory releaseWorkspace made: only such a directory is committed into. */
const WORKSPACE_MARK = '.canaryship-workspace';
/** Test releases are committed with a fixed identity, never with the user's signing key. */
const NO_SIGNING = ['-c', 'commit.gpgsign=false'];

/** Runs git in `cwd`; a failure is one line naming the command and git's own last words, exit 1. */
export function gitIn(cwd: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    const said = (stderr ?? '').trim().split('\n').at(-1) || message.split('\n')[0];
    throw new CanaryshipError(`git ${args.join(' ')} in ${cwd} failed: ${said}`, { code: 'workspace.git', cause: error });
  }
}

/**
 * Commits what is under `what` (all of `root` by default) as a release, only where `root` is the top level of its own
 * repository: a workspace whose .git went missing would otherwise commit into whatever repository
 * surrounds it, with the files its owner had staged.
 */
function commitRelease(root: string, version: string, what: string = root): void {
  const top = gitIn(root, 'rev-parse', '--show-toplevel');
  if (realpathSync(top) !== realpathSync(root)) {
    throw new CanaryshipError(`${root} is not a repository of its own: git would commit into ${top}`, { code: 'workspace.not-ours', exitCode: 2, hint: 'give a new or empty directory: provider-path commits its releases there' });
  }
  gitIn(what, 'add', '-A', '.');
  if (gitIn(root, 'diff', '--cached', '--name-only')) gitIn(root, ...NO_SIGNING, 'commit', '--quiet', '-m', `release ${version}`);
}

/**
 * Creates `root` as a repository holding `environments/<env>` at `version`, its dist copied from
 * `distDir`; returns the package's directory. On a failure `root` is left as found: no marker
 * without a repository, no half-made .git.
 */
export function releaseWorkspace(environment: EnvironmentName, distDir: string, version: string, root: string): string {
  const existed = existsSync(root);
  const before = new Set(existed ? readdirSync(root) : []);
  mkdirSync(root, { recursive: true });
  try {
    gitIn(root, 'init', '--quiet');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ws', private: true, repository: { type: 'git', url: 'https://github.com/canaryship/canaryship' } }));
    const dir = join(root, 'environments', environment);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@canaryship/env-${environment}`, version }));
    cpSync(distDir, join(dir, 'dist'), { recursive: true });
    writeFileSync(join(root, WORKSPACE_MARK), 'A vendor workspace of canaryship-provider-path: its commits are test releases.\n');
    commitRelease(root, version);
    return dir;
  } catch (error) {
    if (existed) for (const entry of readdirSync(root).filter((e) => !before.has(e))) rmSync(join(root, entry), { recursive: true, force: true });
    else rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The package directory of `environment` in the workspace at `root`, made on first use. A
 * directory that holds anything but a workspace is refused: releases are commits, and must never
 * land in someone's own repository.
 */
export function openWorkspace(environment: EnvironmentName, distDir: string, version: string, root: string): string {
  const dir = join(root, 'environments', environment);
  const marked = existsSync(join(root, WORKSPACE_MARK));
  if (marked && existsSync(join(dir, 'package.json'))) return dir;
  if (!marked && existsSync(root) && readdirSync(root).length > 0) {
    throw new CanaryshipError(`${root} is not a provider-path workspace (no ${WORKSPACE_MARK}), and not empty`, { code: 'workspace.not-ours', exitCode: 2, hint: 'give a new or empty directory: provider-path commits its releases there' });
  }
  if (!existsSync(join(distDir, 'kustomization.yaml'))) {
    throw new CanaryshipError(`${distDir} is not a rendered distribution (no kustomization.yaml)`, { code: 'workspace.no-dist', exitCode: 2, hint: 'render it first: npx nx run-many -t build' });
  }
  return releaseWorkspace(environment, distDir, version, root);
}

export interface Release {
  readonly version: string;
  /** The services' releases written into the dist (revision, podinfo config). */
  readonly services?: Readonly<Record<string, ServiceRelease>>;
  /** Any other change to the dist. */
  readonly change?: (dist: string) => Promise<void> | void;
}

export interface Published {
  readonly version: string;
  readonly digest: string;
  /** When publishing started (ms). */
  readonly at: number;
}

/** Commits `release` in the workspace as its release commit and publishes it. */
export async function publishRelease(packageDir: string, release: Release, options: Pick<PublishOptions, 'registry' | 'layoutRoot' | 'retry'>): Promise<Published> {
  const dist = join(packageDir, 'dist');
  if (release.services) await writeReleases(dist, release.services);
  await release.change?.(dist);
  const manifest = join(packageDir, 'package.json');
  writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), version: release.version }));
  commitRelease(join(packageDir, '..', '..'), release.version, packageDir);
  const at = Date.now();
  const result = await publish({ ...options, packageDir });
  return { version: release.version, digest: result.digest, at };
}
