/**
 * Writing a file so that a reader sees the old one or the new one, never half of one: the data
 * goes to a name of its own beside it (this process, and a random part for two writes in one
 * process), then is renamed over it. On failure the stray is removed and the error rethrown.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';

const temporaryFor = (path: string): string => `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;

export async function writeAtomically(path: string, data: Buffer | string): Promise<void> {
  const temporary = temporaryFor(path);
  try {
    await writeFile(temporary, data, { mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** The same, for code that cannot wait (a receipt written as a command returns). */
export function writeAtomicallySync(path: string, data: Buffer | string): void {
  const temporary = temporaryFor(path);
  try {
    writeFileSync(temporary, data, { mode: 0o644 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
