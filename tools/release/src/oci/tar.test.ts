import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { PublishError } from '../errors.js';
import { gzip, readTree, tarball, untarGzip } from './tar.js';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'canaryship-tar-'));

/** A tar+gzip of raw entries, whatever their names: what a hostile registry could send. */
async function rawLayer(entries: { name: string; content?: string; type?: 'file' | 'directory' | 'symlink' }[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const e of entries) archive.entry({ name: e.name, type: e.type ?? 'file', ...(e.type === 'symlink' && { linkname: '/etc/passwd' }) }, e.content ?? '');
  archive.finalize();
  await done;
  return gzip(Buffer.concat(chunks));
}

describe('readTree', () => {
  it('reads every file and folder, sorted, with contents', async () => {
    const root = scratch();
    mkdirSync(join(root, 'b'));
    writeFileSync(join(root, 'b/x.yaml'), 'x');
    writeFileSync(join(root, 'a.yaml'), 'a');
    writeFileSync(join(root, 'c.yaml'), 'c');
    expect((await readTree(root)).map((e) => [e.path, e.content?.toString()])).toEqual([['a.yaml', 'a'], ['b', undefined], ['b/x.yaml', 'x'], ['c.yaml', 'c']]);
  });

  it('refuses what is not a distribution: a missing folder, a symlink, a FIFO', async () => {
    const missing = join(scratch(), 'dist');
    await expect(readTree(missing)).rejects.toMatchObject({ message: `${missing} is not a rendered distribution directory`, code: 'publish.no-dist', hint: 'render it first (npm run build)' });
    const linked = scratch();
    symlinkSync('/etc/hostname', join(linked, 'leak.yaml'));
    await expect(readTree(linked)).rejects.toThrow(`${join(linked, 'leak.yaml')} is a symlink: Flux drops symlinks when it extracts, so a distribution may not hold one`);
    const fifo = scratch();
    execFileSync('mkfifo', [join(fifo, 'pipe')]);
    await expect(readTree(fifo)).rejects.toThrow(`${join(fifo, 'pipe')} is not a regular file or directory: a distribution holds only files`);
  });
});

describe('tarball', () => {
  it("holds the root, folders and files with fixed owners, modes and times, in the given order", async () => {
    const tar = await tarball([{ path: 'a.yaml', content: Buffer.from('a') }, { path: 'b' }, { path: 'b/x.yaml', content: Buffer.from('x') }]);
    const listing = execFileSync('tar', ['-tvf', '-', '--numeric-owner', '--full-time'], { input: tar, encoding: 'utf8' }).trim().split('\n');
    expect(listing.map((l) => l.replace(/\s+/g, ' '))).toEqual([
      'drwxr-xr-x 0/0 0 1970-01-01 00:00:00 ./',
      '-rw-r--r-- 0/0 1 1970-01-01 00:00:00 a.yaml',
      'drwxr-xr-x 0/0 0 1970-01-01 00:00:00 b/',
      '-rw-r--r-- 0/0 1 1970-01-01 00:00:00 b/x.yaml',
    ]);
    const names = execFileSync('tar', ['-tvf', '-'], { input: tar, encoding: 'utf8' });
    expect(names).not.toMatch(/root|nobody/);
  });

  it('gzips with no name and time 0, the same bytes every time', async () => {
    const gz = gzip(Buffer.from('hello'));
    expect(gz.readUInt32LE(4)).toBe(0);
    expect(gz[3]! & 0x08).toBe(0);
    expect(gunzipSync(gz).toString()).toBe('hello');
    expect(gzip(Buffer.from('hello')).equals(gz)).toBe(true);
  });
});

describe('untarGzip', () => {
  it('returns the files by path without ./, folders left out, and round-trips a tarball', async () => {
    const files = await untarGzip(gzip(await tarball([{ path: 'a.yaml', content: Buffer.from('a') }, { path: 'b' }, { path: 'b/x.yaml', content: Buffer.from('x') }])));
    expect([...files].map(([k, v]) => [k, v.toString()])).toEqual([['a.yaml', 'a'], ['b/x.yaml', 'x']]);
    expect(await untarGzip(await rawLayer([{ name: 'plain.yaml', content: 'p' }, { name: 'link', type: 'symlink' }]))).toEqual(new Map([['plain.yaml', Buffer.from('p')]]));
  });

  it('refuses paths outside its root, and what is not gzip or tar, as a bad layer', async () => {
    for (const name of ['/etc/passwd', '../up.yaml', 'a/../../up.yaml', './../up.yaml']) {
      await expect(untarGzip(await rawLayer([{ name }])), name).rejects.toMatchObject({ code: 'artifact.bad-layer', message: `the artifact's layer names a path outside its root (${JSON.stringify(name)})` });
    }
    await expect(untarGzip(Buffer.from('not gzip'))).rejects.toMatchObject({ code: 'artifact.bad-layer', message: expect.stringMatching(/^the artifact's layer is not valid gzip \(/) });
    await expect(untarGzip(gzip(Buffer.alloc(1024, 7)))).rejects.toMatchObject({ code: 'artifact.bad-layer', message: expect.stringMatching(/^the artifact's layer is not a valid tar archive \(/) });
    await expect(untarGzip(gzip(Buffer.alloc(1024, 7)))).rejects.toBeInstanceOf(PublishError);
  });
});
