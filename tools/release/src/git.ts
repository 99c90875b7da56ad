/** The few git facts a release needs, with git's failures said plainly. */
import { run, ToolFailed } from '@canaryship/toolchain';
import { PublishError } from './errors.js';

const INSTALL_GIT = 'install git (Debian: apt-get install git)';

export async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    return (await run('git', args, { cwd, install: INSTALL_GIT })).stdout.trim();
  } catch (error) {
    if (!(error instanceof ToolFailed)) throw error;
    const why = error.output.trim().split('\n').filter(Boolean).at(-1) ?? 'no output';
    throw new PublishError(`git ${args[0]} failed in ${cwd}: ${why}`, { code: 'git.failed' });
  }
}

export interface ReleaseCommit {
  /** RFC 3339 time of the release commit (or SOURCE_DATE_EPOCH). */
  readonly created: string;
  /** Full SHA-1 of the release commit. */
  readonly commit: string;
}

const rfc3339 = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');

/**
 * The release commit of an environment package: the last commit that changed its package.json
 * (its version bump). Its time is the artifact's `created` and its SHA goes into the revision, so
 * the same release always gets the same digests, on any machine, never the clock's.
 * SOURCE_DATE_EPOCH overrides the time. A shallow clone may not hold the release commit (git then
 * names the clone's cut-off instead), so it is refused with that reason.
 */
export async function releaseCommit(packageDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ReleaseCommit> {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && epoch !== '' && !/^\d{1,12}$/.test(epoch)) throw new PublishError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, not "${epoch}"`, { code: 'publish.source-date-epoch' });
  const inRepository = await git(packageDir, 'rev-parse', '--is-inside-work-tree').then((out) => out === 'true', () => false);
  if (!inRepository) throw new PublishError(`cannot find the release commit of ${packageDir}: it is not in a git repository`, { code: 'publish.no-release-commit', hint: 'publish from a clone of the repository' });
  if ((await git(packageDir, 'rev-parse', '--is-shallow-repository')) === 'true') {
    throw new PublishError(`${packageDir} is in a shallow clone: the commit that released its version may be missing, and the artifact would then carry another time and revision`, {
      code: 'publish.shallow-clone',
      hint: 'fetch the full history (git fetch --unshallow; actions/checkout with fetch-depth: 0)',
    });
  }
  const line = await git(packageDir, 'log', '-1', '--format=%H %ct', '--', 'package.json');
  const [commit = '', seconds = ''] = line.split(' ');
  if (!commit) throw new PublishError(`cannot find the release commit of ${packageDir}: its package.json is not committed`, { code: 'publish.no-release-commit', hint: 'commit the version bump first' });
  return { commit, created: rfc3339(epoch ? Number(epoch) : Number(seconds)) };
}
