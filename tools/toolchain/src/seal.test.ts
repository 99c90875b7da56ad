/** A sealed file is used as made; one changed since is refused with what to do, one moved is checked once. */
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSeal, seal } from './seal.js';

const REMAKE = 'run `npx canaryship setup test`';
const made = (content = '#!/bin/sh\necho kustomize\n') => {
  const file = join(mkdtempSync(join(tmpdir(), 'canaryship-seal-')), 'kustomize');
  writeFileSync(file, content, { mode: 0o755 });
  return file;
};

describe('seals', () => {
  it('pass a file as it was sealed, and one moved or restored with the same content', async () => {
    const file = made();
    await seal(file);
    await expect(checkSeal(file, REMAKE)).resolves.toBeUndefined();
    // A restored cache: same bytes, another inode and change time.
    copyFileSync(file, `${file}.copy`);
    renameSync(`${file}.copy`, file);
    await expect(checkSeal(file, REMAKE)).resolves.toBeUndefined();
  });

  it('refuse a file replaced or edited in place since it was sealed, naming it and what to do', async () => {
    const file = made();
    await seal(file);
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    await expect(checkSeal(file, REMAKE)).rejects.toMatchObject({
      code: 'cache.tampered',
      message: expect.stringMatching(new RegExp(`^${file} is not what canaryship made: its sha256 is [0-9a-f]{64}, its seal says [0-9a-f]{64}$`)),
      hint: REMAKE,
    });
    // The same size, written in place: the change time gives it away.
    const same = made('aaaa');
    await seal(same);
    writeFileSync(same, 'bbbb');
    await expect(checkSeal(same, REMAKE)).rejects.toMatchObject({ code: 'cache.tampered' });
  });

  it('seal a file made before seals existed as found, once; refuse a seal that is not one', async () => {
    const file = made();
    await checkSeal(file, REMAKE);
    expect(JSON.parse(readFileSync(`${file}.sha256`, 'utf8'))).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    writeFileSync(`${file}.sha256`, 'not json');
    await expect(checkSeal(file, REMAKE)).rejects.toMatchObject({ code: 'cache.tampered', message: `${file}.sha256, the seal of ${file}, is not what canaryship wrote` });
    rmSync(`${file}.sha256`);
  });
});
