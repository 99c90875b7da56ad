/**
 * A render replaces a distribution under its lock, and every command that reads one waits for it:
 * validate, publish, diff and contract never see a tree being swapped (or the instant it is absent).
 * Here the test holds the lock the way a render does, takes the distribution away while holding it,
 * and puts it back before letting go: a reader that did not wait would find nothing.
 */
import { existsSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { main } from '@canaryship/cli';
import { distributionLockPath, withDistributionLock } from '@canaryship/toolchain';
import { describe, expect, it } from 'vitest';
import { environmentPackage } from '../release/workspace.js';

const captured = () => {
  const out: string[] = [];
  return { write: (text: string) => out.push(text), text: () => out.join('') };
};

/** Whether a second holder has put its claim beside the lock, i.e. is waiting for it. */
const someoneWaits = (dist: string): boolean => {
  const lock = basename(distributionLockPath(dist));
  return readdirSync(dirname(dist)).some((entry) => entry.startsWith(`${lock}.`) && !entry.endsWith('.takeover'));
};

describe('commands that read a distribution wait for a render of it', () => {
  const cases: [string, (packageDir: string, scratch: string) => string[]][] = [
    ['validate', (packageDir) => ['validate', join(packageDir, 'dist')]],
    ['publish', (packageDir, scratch) => ['publish', packageDir, '--layout', join(scratch, 'layout')]],
  ];

  it.each(cases)('%s', async (_name, argsFor) => {
    const scratch = mkdtempSync(join(tmpdir(), 'canaryship-lock-readers-'));
    const packageDir = environmentPackage('linkerd', '1.0.0', join(scratch, 'workspace'));
    const dist = join(packageDir, 'dist');
    const stdout = captured();
    const stderr = captured();
    let reader: Promise<number> | undefined;
    await withDistributionLock([dist], async () => {
      renameSync(dist, `${dist}.away`);
      reader = main(argsFor(packageDir, scratch), { cwd: packageDir, stdout, stderr });
      // Until the reader waits: one that did not would have found no distribution by now, and failed.
      while (!someoneWaits(dist)) {
        if (await Promise.race([reader.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 20))])) break;
      }
      renameSync(`${dist}.away`, dist);
    });
    expect({ code: await reader, stderr: stderr.text() }).toEqual({ code: 0, stderr: expect.not.stringContaining('error') });
    expect(existsSync(distributionLockPath(dist))).toBe(false);
  });
});
