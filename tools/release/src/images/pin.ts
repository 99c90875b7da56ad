/**
 * `canaryship pin-images`: resolve every image the rendered distributions run, by tag, to the
 * digest of what its registry serves now, and keep it in images.lock.json. Everything is resolved
 * before anything is written; a tag no registry has fails the whole run, naming where it is used.
 */
import { join } from 'node:path';
import type { ImageLock } from '@canaryship/blocks';
import { PublishError } from '../errors.js';
import { findCredentials } from '../oci/credentials.js';
import type { RegistryAddress } from '../oci/registry-address.js';
import { createRegistryClient, type RegistryReader } from '../oci/registry.js';
import { readFiles } from '../oci/tar.js';
import { environmentOf, type ConnectOptions } from '../publish.js';
import { formatLock, lockPath, readLock, writeLock } from './lock.js';
import { apiHost, lockKey, type ImageReference } from './reference.js';
import { resolveImage } from './resolve.js';
import { imagesOf, whereUsed, type ImageUse } from './usage.js';

export interface PinOptions extends ConnectOptions {
  /** The repository: where the lock is. */
  readonly root: string;
  /** Environment packages whose rendered dist/ names the images. */
  readonly packageDirs: readonly string[];
  /** Resolve a registry's images at another that holds the same manifests (a mirror): `ghcr.io` → `127.0.0.1:5000`. */
  readonly mirrors?: ReadonlyMap<string, RegistryAddress>;
}

export interface PinnedImage {
  /** `name:tag` */
  readonly image: string;
  readonly digest: string;
  /** `added` (new to the lock), `unchanged`, or `moved` (the tag now names other content than the lock held). */
  readonly status: 'added' | 'unchanged' | 'moved';
  readonly previous?: string;
  readonly usedBy: readonly string[];
}

export interface PinResult {
  readonly lock: string;
  readonly images: readonly PinnedImage[];
  /** Entries no distribution uses any more, dropped from the lock. */
  readonly dropped: readonly string[];
  readonly written: boolean;
}

/** Every image the distributions name, read from their dist/ (render them first). */
export async function imageUses(packageDirs: readonly string[]): Promise<ImageUse[]> {
  const uses: ImageUse[] = [];
  for (const dir of packageDirs) uses.push(...imagesOf(await environmentOf(dir), await readFiles(join(dir, 'dist'))));
  return uses;
}

type Tagged = ImageUse & { readonly reference: ImageReference & { readonly tag: string } };

/** Uses that no digest can be pinned for: not a reference, or no tag (`latest` is not a release). */
function unpinnable(uses: readonly ImageUse[]): string[] {
  return uses.flatMap((use) => {
    if (!use.reference) return [`${whereUsed(use)}: ${JSON.stringify(use.value.slice(0, 200))} is not an image reference`];
    if (!use.reference.tag) return [`${whereUsed(use)}: ${use.value} has no tag; name a release (never latest)`];
    return [];
  });
}

/** What release refuses: an image a distribution runs by tag alone, or cannot name at all. */
export function unpinnedImages(uses: readonly ImageUse[]): string[] {
  return [...unpinnable(uses), ...uses.flatMap((use) => (use.reference?.tag && !use.reference.digest ? [`${whereUsed(use)}: ${use.value} is not pinned to a digest`] : []))];
}

const byImage = (uses: readonly Tagged[]): Map<string, Tagged[]> => {
  const groups = new Map<string, Tagged[]>();
  for (const use of uses) {
    const key = lockKey(use.reference);
    groups.set(key, [...(groups.get(key) ?? []), use]);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : 1)));
};

export async function pinImages(options: PinOptions): Promise<PinResult> {
  const progress = options.onProgress ?? (() => undefined);
  const path = lockPath(options.root);
  const previous = await readLock(path);
  const uses = await imageUses(options.packageDirs);
  const problems = unpinnable(uses);
  if (problems.length > 0) throw new PublishError(`no digest can be pinned for:\n  ${problems.join('\n  ')}`, { code: 'images.reference' });

  const clients = new Map<string, Promise<{ client: RegistryReader; prefix: string }>>();
  const clientFor = (reference: ImageReference): Promise<{ client: RegistryReader; prefix: string }> => {
    let entry = clients.get(reference.registry);
    if (!entry) {
      const address = options.mirrors?.get(reference.registry) ?? { host: apiHost(reference.registry), prefix: '', insecure: false };
      entry = findCredentials(address.host, options.env).then((credentials) => ({
        client: createRegistryClient({ address, access: 'pull', ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }), ...(options.retry && { retry: options.retry }), onProgress: progress, ...(credentials && { credentials }) }),
        prefix: address.prefix,
      }));
      clients.set(reference.registry, entry);
    }
    return entry;
  };

  const images: PinnedImage[] = [];
  const failures: string[] = [];
  for (const [image, group] of byImage(uses as Tagged[])) {
    const { reference } = group[0]!;
    const usedBy = group.map(whereUsed);
    const { client, prefix } = await clientFor(reference);
    const repository = prefix ? `${prefix}/${reference.repository}` : reference.repository;
    try {
      const digest = await resolveImage(client, repository, reference.tag);
      const before = previous[image];
      images.push({ image, digest, status: before === undefined ? 'added' : before === digest ? 'unchanged' : 'moved', ...(before !== undefined && before !== digest && { previous: before }), usedBy });
      progress(`${image} → ${digest}`);
    } catch (error) {
      if (!(error instanceof PublishError)) throw error;
      failures.push(`${image} (${usedBy.join('; ')}): ${error.message}`);
    }
  }
  if (failures.length > 0) throw new PublishError(`cannot pin ${failures.length} image${failures.length === 1 ? '' : 's'} (the lock is unchanged):\n  ${failures.join('\n  ')}`, { code: 'images.resolve' });

  const lock: ImageLock = Object.fromEntries(images.map((i) => [i.image, i.digest]));
  const dropped = Object.keys(previous).filter((key) => !(key in lock)).sort();
  const written = formatLock(lock) !== formatLock(previous);
  if (written) await writeLock(path, lock);
  return { lock: path, images, dropped, written };
}
