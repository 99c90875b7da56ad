/**
 * A lock between processes on one machine: a file created exclusively that holds its owner's pid
 * and, where Linux's /proc tells it, the owner's start time. A lock whose owner has died (a crash,
 * a kill), or whose pid now belongs to another process (same pid, another start time), is taken
 * over; a live owner is waited for until `patienceMs`, then `tooLong` names what to do. Written
 * here because the lock libraries on npm judge a lock stale by its age, which would take a lock from
 * a slow but live render or publish.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rm, stat, writeFile } from 'node:fs/promises';

const POLL_MS = 50;

/** A process's start time since boot (field 22 of /proc/<pid>/stat); undefined where there is no /proc. */
async function startTimeOf(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The command name (field 2) may hold spaces and parentheses: count from its closing one.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** What a lock holds: `<pid> <start time>`, or `<pid>` alone where the start time is unknown. */
const ownerRecord = async (pid: number): Promise<string> => [pid, await startTimeOf(pid)].filter((part) => part !== undefined).join(' ');
const pidOf = (record: string): number => Number(record.split(' ')[0]);

/** Whether the process that wrote `record` still runs: its pid is alive and, where known, started when it did. */
async function isAlive(record: string): Promise<boolean> {
  const [pidText, started] = record.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return started === undefined || (await startTimeOf(pid)) === started;
}

/**
 * Removes the lock of a dead owner. Two waiters may both have read the dead pid; if both removed
 * "the lock", the second would remove the one the first has just taken. So removal happens under
 * a second, short-lived lock, and only after reading the owner again there: a lock can change
 * owner only by being removed, and only this section removes a lock it does not own.
 * Returns whether the lock was removed. Left open: a waiter killed inside this section (a few
 * microseconds) leaves a guard that the next waiters clear; two of them clearing it at once could
 * let two removals through. That needs a second crash at that instant, under contention.
 */
async function takeOver(path: string, claim: string): Promise<boolean> {
  const guard = `${path}.takeover`;
  if (!(await linked(claim, guard))) {
    // Its owner died within the few lines below: the one thing left to clear.
    const owner = await readFile(guard, 'utf8').catch(() => '');
    if (owner && !(await isAlive(owner))) await rm(guard, { force: true });
    return false;
  }
  try {
    const holder = await readFile(path, 'utf8').catch(() => undefined);
    if (holder === undefined || (await isAlive(holder))) return false;
    await rm(path, { force: true });
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}

/** Creates `path` as a link to `claim`: atomic, and refused (false) when `path` exists. */
const linked = (claim: string, path: string): Promise<boolean> =>
  link(claim, path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      return false;
    },
  );

export interface ProcessLock {
  readonly path: string;
  readonly patienceMs: number;
  /** The error when a live process has held the lock for `patienceMs`. */
  readonly tooLong: (holder: number) => Error;
}

export async function withProcessLock<T>(lock: ProcessLock, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + lock.patienceMs;
  // The pid is written first and the lock appears by link(), so a lock is never seen without its owner.
  const claim = `${lock.path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(claim, await ownerRecord(process.pid));
  const { ino } = await stat(claim);
  try {
    for (;;) {
      const taken = await linked(claim, lock.path);
      if (taken) break;
      const content = await readFile(lock.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined; // released this instant: try again
        throw error; // unreadable (a directory, no permission): a clear error, not a spin
      });
      if (content === undefined) continue;
      if (!(await isAlive(content)) && (await takeOver(lock.path, claim))) continue;
      if (Date.now() > deadline) throw lock.tooLong(pidOf(content));
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await rm(claim, { force: true });
  }
  try {
    return await work();
  } finally {
    // Only our own lock: the claim's inode, which the lock shares while it is ours.
    const held = await stat(lock.path).catch(() => undefined);
    if (held?.ino === ino) await rm(lock.path, { force: true });
  }
}
