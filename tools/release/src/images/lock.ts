/**
 * images.lock.json: each `image:tag` the distributions run, with the digest its registry served
 * for it when `canaryship pin-images` last asked. The blocks package imports it, so render writes
 * `image:tag@digest` without a network; release refuses an image the lock does not hold.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SHA256_DIGEST, type ImageLock } from '@canaryship/blocks';
import { PublishError } from '../errors.js';
import { writeAtomically } from '@canaryship/toolchain';
import { lockKey, parseImageReference } from './reference.js';

/** Where a repository keeps its lock, from its root: beside the image tags it pins (images.ts). */
export const LOCK_FILE = 'packages/blocks/src/images.lock.json';
export const lockPath = (root: string): string => join(root, LOCK_FILE);

/** Far more than any app's images (an entry is about 150 bytes): a larger file is not a lock. */
const MAX_LOCK_BYTES = 1024 * 1024;

/** The lock, checked entry by entry; a missing file is an empty lock. */
export async function readLock(path: string): Promise<ImageLock> {
  const size = await stat(path).then((s) => (s.isFile() ? s.size : -1), () => 0);
  if (size < 0 || size > MAX_LOCK_BYTES) throw new PublishError(`${path} is ${size < 0 ? 'not a file' : `${size} bytes, more than a lock of ${MAX_LOCK_BYTES} bytes holds`}`, { code: 'images.lock', hint: 'restore it from git, or remove it and run canaryship pin-images' });
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '{}';
    throw new PublishError(`${path} cannot be read: ${error.code ?? error.message}`, { code: 'images.lock' });
  });
  let lock: unknown;
  try {
    lock = JSON.parse(text);
  } catch {
    throw new PublishError(`${path} is not JSON`, { code: 'images.lock', hint: 'restore it from git, or remove it and run canaryship pin-images' });
  }
  if (!lock || typeof lock !== 'object' || Array.isArray(lock)) throw new PublishError(`${path} must hold one object of "image:tag": "sha256:…"`, { code: 'images.lock' });
  const bad = Object.entries(lock).flatMap(([key, digest]) => {
    const reference = parseImageReference(key);
    if (!reference?.tag || reference.digest || lockKey({ name: reference.name, tag: reference.tag }) !== key) return [`${JSON.stringify(key.slice(0, 200))} is not an image:tag`];
    return typeof digest === 'string' && SHA256_DIGEST.test(digest) ? [] : [`${key}: ${JSON.stringify(String(digest).slice(0, 100))} is not a sha256 digest`];
  });
  if (bad.length > 0) throw new PublishError(`${path}:\n  ${bad.slice(0, 10).join('\n  ')}`, { code: 'images.lock', hint: 'restore it from git, or remove the entries and run canaryship pin-images' });
  // Only as pin-images writes it: a key twice (JSON keeps the last, silently) or a hand's layout is not a lock.
  if (text !== '{}' && formatLock(lock as ImageLock) !== text) {
    throw new PublishError(`${path} is not as pin-images writes it (an image twice, or edited by hand)`, { code: 'images.lock', hint: 'restore it from git, or run canaryship pin-images to write it again' });
  }
  return lock as ImageLock;
}

/** Sorted, one entry a line: the same pins give the same bytes, and a diff shows one line per image. */
export const formatLock = (lock: ImageLock): string =>
  `${JSON.stringify(Object.fromEntries(Object.entries(lock).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), null, 2)}\n`;

export const writeLock = (path: string, lock: ImageLock): Promise<void> => writeAtomically(path, formatLock(lock));
