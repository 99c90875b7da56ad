/** The few git facts a release needs. */
import { PublishError } from './errors.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const git = async (cwd: string, ...args: string[]): Promise<string> => (await run('git', args, { cwd })).stdout.trim();

/**
 * When this release was made: SOURCE_DATE_EPOCH if set, else the time of the last commit that
 * changed the package's package.json (its version bump). Never the clock, so the same release
 * always gets the same `created` and the same digests.
 */
export async function releaseTime(packageDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw new PublishError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, not "${epoch}"`);
    return new Date(Number(epoch) * 1000).toISOString().replace(/\.000Z$/, 'Z');
  }
  const seconds = await git(packageDir, 'log', '-1', '--format=%ct', '--', 'package.json').catch(() => '');
  if (!seconds) throw new PublishError(`cannot date the release of ${packageDir}: its package.json is not committed; commit it or set SOURCE_DATE_EPOCH`);
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
