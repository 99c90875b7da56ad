/**
 * A deterministic tar+gzip of a directory, in the shape Flux extracts: entries in lexical order with
 * the root included, mtime 0, uid/gid 0, empty owner names, and fixed modes (0755 directories,
 * 0644 files) whatever the umask that wrote them. Symlinks are refused rather than silently dropped.
 * Compression is pako (pure JavaScript): its output does not depend on the zlib build or CPU the
 * way Node's native zlib can, and the gzip header carries no name and time 0.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pako from 'pako';
import { extract, pack } from 'tar-stream';
import { PublishError } from '../errors.js';
import { ARTIFACT_LIMITS } from './limits.js';

export interface TreeEntry {
  /** Relative, `/`-separated; directories end without a slash. */
  readonly path: string;
  readonly content?: Buffer;
}

/** The files of a rendered distribution; anything Flux would drop or could not hold is refused. */
export async function readTree(root: string): Promise<TreeEntry[]> {
  const rootInfo = await lstat(root).catch(() => undefined);
  if (!rootInfo?.isDirectory()) throw new PublishError(`${root} is not a rendered distribution directory`, { code: 'publish.no-dist', hint: 'render it first (npm run build)' });
  const entries: TreeEntry[] = [];
  let bytes = 0;
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = prefix ? `${prefix}/${name}` : name;
      const info = await lstat(join(dir, name));
      if (info.isSymbolicLink()) throw new PublishError(`${join(dir, name)} is a symlink: Flux drops symlinks when it extracts, so a distribution may not hold one`);
      if (entries.length >= ARTIFACT_LIMITS.entries) throw new PublishError(`${root} holds more than ${ARTIFACT_LIMITS.entries} entries`);
      if (info.isDirectory()) {
        entries.push({ path });
        await walk(join(dir, name), path);
      } else if (info.isFile()) {
        bytes += info.size;
        if (bytes > ARTIFACT_LIMITS.unpackedBytes) throw new PublishError(`${root} holds more than ${ARTIFACT_LIMITS.unpackedBytes} bytes`);
        entries.push({ path, content: await readFile(join(dir, name)) });
      } else throw new PublishError(`${join(dir, name)} is not a regular file or directory: a distribution holds only files`);
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

const badLayer = (why: string): PublishError => new PublishError(`the artifact's layer ${why}`, { code: 'artifact.bad-layer' });

/** Files of a rendered distribution, by path (directories left out): what `untarGzip` gives for its layer. */
export const readFiles = async (root: string): Promise<Map<string, Buffer>> => filesOf(await readTree(root));

/** The files of a tree already read, by path (directories left out). */
export const filesOf = (tree: readonly TreeEntry[]): Map<string, Buffer> => new Map(tree.flatMap((e) => (e.content ? [[e.path, e.content] as const] : [])));

/**
 * Files of a tar+gzip layer, by path (directories left out). Decompression and extraction are
 * bounded while they run: a small layer that unpacks to gigabytes stops at the limit.
 */
export async function untarGzip(layer: Buffer): Promise<Map<string, Buffer>> {
  let tar: Buffer;
  try {
    tar = gunzipSync(layer, { maxOutputLength: ARTIFACT_LIMITS.unpackedBytes });
  } catch (error) {
    throw (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      ? badLayer(`unpacks to more than ${ARTIFACT_LIMITS.unpackedBytes} bytes`)
      : badLayer(`is not valid gzip (${(error as Error).message})`);
  }
  const files = new Map<string, Buffer>();
  let entries = 0;
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      entries += 1;
      if (entries > ARTIFACT_LIMITS.entries) {
        reader.destroy(badLayer(`holds more than ${ARTIFACT_LIMITS.entries} entries`));
        return;
      }
      const name = header.name.replace(/^\.\//, '');
      if (name.startsWith('/') || name.split('/').includes('..')) {
        reader.destroy(badLayer(`names a path outside its root (${JSON.stringify(header.name)})`));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        if (header.type === 'file') files.set(name, Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    reader.on('finish', resolve);
    reader.on('error', (error: Error) => reject(error instanceof PublishError ? error : badLayer(`is not a valid tar archive (${error.message})`)));
  });
  reader.end(tar);
  await done;
  return files;
}
