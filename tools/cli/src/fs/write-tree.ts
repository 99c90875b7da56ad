/**
 * Replaces a directory with a new tree of files, never leaving a half-written one: the tree is
 * written beside the target, then swapped in by rename. A failure before the swap leaves the old
 * directory untouched and removes the partial one.
 */
import { chmod, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface TreeFile {
  readonly path: string;
  readonly content: string;
}

/** Fixed modes, whatever the umask: file modes are part of an artifact's bytes. */
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

const exists = async (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

export async function writeTreeAtomically(target: string, files: readonly TreeFile[]): Promise<void> {
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(join(parent, `.${basename(target)}.new-`));
  try {
    await chmod(staging, DIR_MODE);
    for (const file of files) {
      if (file.path.startsWith('/') || file.path.split('/').includes('..')) {
        throw new Error(`bug: file path escapes the tree: ${file.path}`);
      }
      const path = join(staging, file.path);
      await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
      await chmod(dirname(path), DIR_MODE);
      await writeFile(path, file.content);
      await chmod(path, FILE_MODE);
    }
    const previous = (await exists(target)) ? `${staging}.old` : undefined;
    if (previous) await rename(target, previous);
    await rename(staging, target);
    if (previous) await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
