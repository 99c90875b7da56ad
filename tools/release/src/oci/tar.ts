/**
 * A deterministic tar+gzip of a directory, in the shape Flux extracts: entries in lexical order with
 * the root included, mtime 0, uid/gid 0, empty owner names, and fixed modes (0755 directories,
 * 0644 files) whatever the umask that wrote them. Symlinks are refused rather than silently dropped.
 * Compression is pako (pure JavaScript): its output does not depend on the zlib build or CPU the
 * way Node's native zlib can, and the gzip header carries no name and time 0.
 */
import { PublishError } from '../errors.js';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pako from 'pako';
import { extract, pack } from 'tar-stream';

export interface TreeEntry {
  /** Relative, `/`-separated; directories end without a slash. */
  readonly path: string;
  readonly content?: Buffer;
}

export async function readTree(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = prefix ? `${prefix}/${name}` : name;
      const info = await lstat(join(dir, name));
      if (info.isSymbolicLink()) throw new PublishError(`${join(dir, name)} is a symlink: Flux drops symlinks when it extracts, so a distribution may not hold one`);
      if (info.isDirectory()) {
        entries.push({ path });
        await walk(join(dir, name), path);
      } else if (info.isFile()) entries.push({ path, content: await readFile(join(dir, name)) });
    }
  };
  await walk(root, '');
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const EPOCH = new Date(0);

export async function tarball(entries: readonly TreeEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  const header = { mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '' };
  archive.entry({ ...header, name: './', type: 'directory', mode: 0o755 });
  for (const entry of entries) {
    if (entry.content === undefined) archive.entry({ ...header, name: `${entry.path}/`, type: 'directory', mode: 0o755 });
    else archive.entry({ ...header, name: entry.path, type: 'file', mode: 0o644, size: entry.content.length }, entry.content);
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** pako's `header` option (documented in its deflate.js) is missing from @types/pako. */
type GzipOptions = pako.DeflateFunctionOptions & { header: { time: number; os: number } };

export const gzip = (data: Buffer): Buffer => Buffer.from(pako.gzip(data, { level: 9, header: { time: 0, os: 255 } } as GzipOptions));

/** Files of a tar+gzip layer, by path (directories left out). */
export async function untarGzip(layer: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        if (header.type === 'file') files.set(header.name.replace(/^\.\//, ''), Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  reader.end(Buffer.from(pako.ungzip(layer)));
  await done;
  return files;
}
