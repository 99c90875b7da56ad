import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withProcessLock, type ProcessLock } from './process-lock.js';

const lockIn = (dir: string, patienceMs = 10_000): ProcessLock => ({ path: join(dir, 'x.lock'), patienceMs, tooLong: (holder) => new Error(`held by ${holder}`) });
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('withProcessLock', () => {
  it('lets one holder in at a time, also when they all find a dead owner’s lock at once, and leaves nothing behind', async () => {
    for (let round = 0; round < 20; round += 1) {
      const dir = mkdtempSync(join(tmpdir(), 'canaryship-lock-'));
      writeFileSync(join(dir, 'x.lock'), '2147483646');
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 8 }, () =>
          withProcessLock(lockIn(dir), async () => {
            most = Math.max(most, (inside += 1));
            await tick();
            inside -= 1;
          }),
        ),
      );
      expect(most).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('fails at once, not spinning, when the lock is something it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canaryship-lock-'));
    mkdirSync(join(dir, 'x.lock'));
    await expect(withProcessLock(lockIn(dir), async () => 'ran')).rejects.toMatchObject({ code: 'EISDIR' });
  });

  // Start times come from Linux's /proc; elsewhere a lock holds the pid alone, as the test below checks.
  it.skipIf(!existsSync('/proc/self/stat'))('takes over a lock whose pid now belongs to another process (same pid, another start time), and waits for the owner itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canaryship-lock-'));
    const started = readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;
    writeFileSync(join(dir, 'x.lock'), `${process.pid} ${Number(started) + 1}`);
    expect(await withProcessLock(lockIn(dir, 200), async () => 'ran')).toBe('ran');
    writeFileSync(join(dir, 'x.lock'), `${process.pid} ${started}`);
    await expect(withProcessLock(lockIn(dir, 200), async () => 'ran')).rejects.toThrow(`held by ${process.pid}`);
  });

  it('gives up on a live owner after its patience, naming the owner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canaryship-lock-'));
    writeFileSync(join(dir, 'x.lock'), String(process.pid));
    await expect(withProcessLock(lockIn(dir, 200), async () => 'ran')).rejects.toThrow(`held by ${process.pid}`);
  });
});
