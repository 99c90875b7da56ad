/** A tree's entries as render names its files. */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every entry under `dir` but folders, relative and '/'-separated, in byte order; `file` is false for
 * anything but a plain file (a link, a device), so a caller refuses it by name rather than follow it.
 * Synchronous: a rendered tree is a few dozen entries, read where nothing else waits.
 */
export const filesUnder = (dir: string): { path: string; file: boolean }[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => ({ path: relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'), file: entry.isFile() }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
