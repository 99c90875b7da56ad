/**
 * A copy of this working tree as a vendor has it checked out (tracked and new files, nothing
 * ignored), committed in a repository of its own, installed and built like a fresh clone: where a
 * test or a benchmark changes the app without touching the repository it runs in.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NX_ENV } from '@canaryship/release';
import { ROOT } from './distribution.js';

export const NPM_QUIET = ['--prefer-offline', '--no-audit', '--no-fund'];

export const shell = (cwd: string, command: string, args: readonly string[]): SpawnSyncReturns<string> =>
  spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...NX_ENV }, maxBuffer: 64 * 1024 * 1024 });

/** Runs a command in `cwd`; its stdout, or an error holding all it printed. */
export function step(cwd: string, command: string, ...args: string[]): string {
  const result = shell(cwd, command, args);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Commits everything in the copy, as a vendor would. */
export const commitAll = (copy: string, message: string): void => {
  step(copy, 'git', 'add', '--all');
  step(copy, 'git', '-c', 'user.name=vendor', '-c', 'user.email=vendor@example.com', 'commit', '--quiet', '--no-verify', '--message', message);
};

export function copyOfWorkingTree(): string {
  const copy = mkdtempSync(join(tmpdir(), 'canaryship-vendor-'));
  // A file deleted in the working tree but still in git's index is gone for the vendor too.
  const files = step(ROOT, 'git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard').split('\0').filter((file) => file && existsSync(join(ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(ROOT, file), join(copy, file), { verbatimSymlinks: true });
  }
  step(copy, 'git', 'init', '--quiet', '--initial-branch=main');
  commitAll(copy, 'the app as checked out');
  return copy;
}

/** The copy after `npm install` and `npm run build`. */
export function installedCopy(): string {
  const copy = copyOfWorkingTree();
  step(copy, 'npm', 'install', ...NPM_QUIET);
  step(copy, 'npm', 'run', 'build');
  return copy;
}
