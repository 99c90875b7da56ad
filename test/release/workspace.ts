/**
 * A minimal repository holding one environment package with a rendered dist, for publish tests:
 * a real git repository whose one commit (at a fixed time) is the package's release commit.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRegistryAddress, type RegistryAddress } from '@canaryship/release';
import { distDir, type Env } from '../support/distribution.js';

/** The release commit's time in every workspace. */
export const RELEASED_AT = '2026-01-01T00:00:00Z';

const GIT_ENV = { ...process.env, GIT_AUTHOR_DATE: RELEASED_AT, GIT_COMMITTER_DATE: RELEASED_AT, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };

export const gitIn = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();

export function environmentPackage(env: Env, version: string, root = mkdtempSync(join(tmpdir(), 'canaryship-ws-'))): string {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ws', private: true, repository: { type: 'git', url: 'https://github.com/canaryship/canaryship' } }));
  const dir = join(root, 'environments', env);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@canaryship/env-${env}`, version }));
  cpSync(distDir(env), join(dir, 'dist'), { recursive: true });
  gitIn(root, 'init', '--quiet');
  gitIn(root, 'add', '-A');
  gitIn(root, 'commit', '--quiet', '-m', `release ${version}`);
  return dir;
}

/** A test registry's address: plain HTTP on loopback. */
export const local = (host: string): RegistryAddress => parseRegistryAddress(host, { insecure: true });
