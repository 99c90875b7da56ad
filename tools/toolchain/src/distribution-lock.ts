/**
 * One lock per rendered distribution: a render replaces the directory under it, and whatever reads
 * the directory (validate, publish, diff, contract, summary) holds it while reading, so no reader
 * sees a tree being swapped, or the instant between the swap's two renames when it is absent.
 * Readers take turns too: they are short, and one kind of lock cannot be held wrongly.
 */
import { access, constants } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CanaryshipError } from '@canaryship/blocks';
import { withProcessLock } from './process-lock.js';

/** Where the lock of the distribution at `dist` lives: beside it, so it needs no tree of its own. */
export const distributionLockPath = (dist: string): string => join(dirname(dist), `.${basename(dist)}.canaryship.lock`);

/** How long a render or reader waits for another before it says so. */
const PATIENCE_MS = 60_000;

/**
 * Runs `work` holding the lock of every distribution in `dists` (taken in one order, so two
 * holders of several never wait for each other). A distribution whose folder cannot be written
 * (absent, or read-only) is read without one: nothing can render there either.
 */
export async function withDistributionLock<T>(dists: readonly string[], work: () => Promise<T>): Promise<T> {
  const [first, ...rest] = [...new Set(dists.map((d) => resolve(d)))].sort();
  if (first === undefined) return work();
  const next = (): Promise<T> => withDistributionLock(rest, work);
  if (!(await writable(dirname(first)))) return next();
  const path = distributionLockPath(first);
  return withProcessLock(
    {
      path,
      patienceMs: PATIENCE_MS,
      tooLong: (holder: number) =>
        new CanaryshipError(`process ${holder} has been rendering or reading ${first} for a minute`, { code: 'distribution.locked', hint: `wait for it to finish, or remove ${path} if no canaryship command is running` }),
    },
    next,
  );
}

const writable = (dir: string): Promise<boolean> =>
  access(dir, constants.W_OK).then(
    () => true,
    () => false,
  );
