import { rename, writeFile } from 'node:fs/promises';

/** Written beside `path` and renamed over it: a reader sees the old file or the new one, never half of one. */
export async function writeAtomically(path: string, data: Buffer | string): Promise<void> {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, data, { mode: 0o644 });
  await rename(temp, path);
}
