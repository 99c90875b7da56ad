/**
 * Seals on what `canaryship setup` and validation keep in `~/.cache/canaryship` (programs, compiled
 * schemas): the sha256 of each file when it was made, checked before the file is used, so a script
 * put in place of kustomize or a schema edited to accept everything is refused, naming the file and
 * the command that makes it again. The seal sits beside the file and so guards against mistakes and
 * careless tools, not against someone who can write the cache (they can write the seal too).
 *
 * Hashing a 100 MB program on every use would cost more than the use: the seal also records the
 * file's inode and change time, which no write or `touch` leaves as they were (only root can set a
 * change time), and the content is hashed again only when those differ (a restored or copied cache).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { CanaryshipError } from '@canaryship/blocks';
import { writeAtomically } from './write-atomically.js';

interface Seal {
  readonly sha256: string;
  readonly size: number;
  readonly ino: number;
  readonly ctimeMs: number;
}

const sealOf = (file: string): string => `${file}.sha256`;

const sha256Of = async (file: string): Promise<string> => {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

async function write(file: string, sha256: string): Promise<void> {
  const { size, ino, ctimeMs } = await stat(file);
  const seal: Seal = { sha256, size, ino, ctimeMs };
  // A seal is whole or absent.
  await writeAtomically(sealOf(file), `${JSON.stringify(seal)}\n`);
}

/** Seals `file` as it is now: call it once the file is complete. */
export const seal = async (file: string): Promise<void> => write(file, await sha256Of(file));

/** A seal that only saves work later: a cache that cannot be written (read-only, restored) is used as checked. */
const resealQuietly = (file: string, sha256?: string): Promise<void> => (sha256 === undefined ? seal(file) : write(file, sha256)).catch(() => undefined);

/**
 * Throws unless `file` is what was sealed; `remake` says how to make it again. A file made before
 * seals existed is sealed as found, once.
 */
export async function checkSeal(file: string, remake: string): Promise<void> {
  const text = await readFile(sealOf(file), 'utf8').catch(() => undefined);
  if (text === undefined) return resealQuietly(file);
  let recorded: Seal;
  try {
    recorded = JSON.parse(text) as Seal;
  } catch {
    throw new CanaryshipError(`${sealOf(file)}, the seal of ${file}, is not what canaryship wrote`, { code: 'cache.tampered', hint: remake });
  }
  const now = await stat(file);
  if (now.size === recorded.size && now.ino === recorded.ino && now.ctimeMs === recorded.ctimeMs) return;
  const sha256 = await sha256Of(file);
  if (sha256 !== recorded.sha256) {
    throw new CanaryshipError(`${file} is not what canaryship made: its sha256 is ${sha256}, its seal says ${recorded.sha256}`, { code: 'cache.tampered', hint: remake });
  }
  // The same content under a new inode (a restored cache): sealed again, to skip the hash next time.
  await resealQuietly(file, sha256);
}
