/**
 * The vendor's side of a provider's path: an environment package in a git repository of its own,
 * whose commits are its releases (publish reads the release commit), published to a registry.
 * The end-to-end runs (kind, the local control plane) release from a copy of a rendered dist, so
 * the repository's own history and packages are never touched.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CanaryshipError, type EnvironmentName } from '@canaryship/blocks';
import { publish, type PublishOptions } from '@canaryship/release';
import { writeReleases, type ServiceRelease } from '../overlay.js';

/** Every release commit's time: the same sources give the same artifacts, run after run. */
export const RELEASED_AT = '2026-01-01T00:00:00Z';

const GIT_ENV = { ...process.env, GIT_AUTHOR_DATE: RELEASED_AT, GIT_COMMITTER_DATE: RELEASED_AT, GIT_AUTHOR_NAME: 'canaryship e2e', GIT_AUTHOR_EMAIL: 'e2e@example.invalid', GIT_COMMITTER_NAME: 'canaryship e2e', GIT_COMMITTER_EMAIL: 'e2e@example.invalid' };

export const gitIn = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();

/** Creates `root` as a repository holding `environments/<env>` at `version`, its dist copied from `distDir`; returns the package's directory. */
export function releaseWorkspace(environment: EnvironmentName, distDir: string, version: string, root: string): string {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ws', private: true, repository: { type: 'git', url: 'https://github.com/canaryship/canaryship' } }));
  const dir = join(root, 'environments', environment);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@canaryship/env-${environment}`, version }));
  cpSync(distDir, join(dir, 'dist'), { recursive: true });
  writeFileSync(join(root, WORKSPACE_MARK), 'A vendor workspace of canaryship-provider-path: its commits are test releases.\n');
  gitIn(root, 'init', '--quiet');
  gitIn(root, 'add', '-A');
  gitIn(root, ...NO_SIGNING, 'commit', '--quiet', '-m', `release ${version}`);
  return dir;
}

/** Marks a directory releaseWorkspace made: only such a directory is committed into. */
const WORKSPACE_MARK = '.canaryship-workspace';
/** Test releases are committed with a fixed identity, never with the user's signing key. */
const NO_SIGNING = ['-c', 'commit.gpgsign=false'];

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
  gitIn(packageDir, 'add', '-A', '.');
  if (gitIn(packageDir, 'diff', '--cached', '--name-only')) gitIn(packageDir, ...NO_SIGNING, 'commit', '--quiet', '-m', `release ${release.version}`);
  const at = Date.now();
  const result = await publish({ ...options, packageDir });
  return { version: release.version, digest: result.digest, at };
}
