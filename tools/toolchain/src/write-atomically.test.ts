import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAtomically, writeAtomicallySync } from './write-atomically.js';

describe.each([
  ['writeAtomically', (path: string, data: string) => writeAtomically(path, data)],
  ['writeAtomicallySync', async (path: string, data: string) => writeAtomicallySync(path, data)],
] as const)('%s', (_name, write) => {
  it('replaces the file whole and leaves nothing beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canaryship-atomic-'));
    writeFileSync(join(dir, 'f'), 'old');
    await write(join(dir, 'f'), 'new');
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['f']);
  });

  it('leaves the old file and no stray when the rename fails, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canaryship-atomic-'));
    // A directory in the file's place: the data is written beside it, the rename over it refused.
    mkdirSync(join(dir, 'f'));
    await expect(write(join(dir, 'f'), 'new')).rejects.toThrow(/EISDIR|ENOTDIR|EEXIST|ENOTEMPTY/);
    expect(readdirSync(dir)).toEqual(['f']);
  });
});
