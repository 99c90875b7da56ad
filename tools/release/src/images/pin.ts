/**
 * `canaryship pin-images`: resolve every image the rendered distributions run, by tag, to the
 * digest of what its registry serves now, and keep it in images.lock.json. Everything is resolved
 * before anything is written; a tag no registry has fails the whole run, naming where it is used.
 */
import { join } from 'node:path';
import type { ImageLock } from '@canaryship/blocks';
import { PublishError } from '../errors.js';
import { readFiles } from '../oci/tar.js';
import { environmentOf } from '../publish.js';
import { imageRegistries, type ImageRegistryOptions } from './clients.js';
import { formatLock, lockPath, readLock, writeLock } from './lock.js';
import { lockKey, type ImageReference } from './reference.js';
import { resolveImage, verifyImage } from './resolve.js';
import { imagesOf, whereUsed, type ImageUse } from './usage.js';

export interface PinOptions extends ImageRegistryOptions {
  /** The repository: where the lock is. */
  readonly root: string;
  /** Environment packages whose rendered dist/ names the images. */
  readonly packageDirs: readonly string[];
  /**
   * Whether `packageDirs` are every environment, so a lock entry none of them runs is dropped;
   * otherwise the others' entries are kept as they are.
   */
  readonly everyEnvironment: boolean;
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
  /** Entries no distribution uses any more, dropped from the lock (only when every environment was read). */
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

/** `uses` by `key`, in the order of the keys: one registry request, and one line of output, per image. */
function groupedBy<Use extends ImageUse>(uses: readonly Use[], key: (use: Use) => string): [string, Use[]][] {
  const groups = new Map<string, Use[]>();
  for (const use of uses) groups.set(key(use), [...(groups.get(key(use)) ?? []), use]);
  return [...groups].sort(([a], [b]) => (a < b ? -1 : 1));
}

/** An image use release refuses, and why. */
export interface UnpinnedUse {
  readonly use: ImageUse;
  readonly why: string;
}

/** Uses that no digest can be pinned for: not a reference, or no tag (`latest` is not a release). */
function unpinnable(uses: readonly ImageUse[]): UnpinnedUse[] {
  return uses.flatMap((use) => {
    if (!use.reference) return [{ use, why: `${JSON.stringify(use.value.slice(0, 200))} is not an image reference` }];
    if (!use.reference.tag && !use.reference.digest) return [{ use, why: `${use.value} has no tag; name a release (never latest)` }];
    return [];
  });
}

/** What release refuses: an image a distribution runs by tag alone, or cannot name at all. */
export function unpinnedUses(uses: readonly ImageUse[]): UnpinnedUse[] {
  return [...unpinnable(uses), ...uses.flatMap((use) => (use.reference?.tag && !use.reference.digest ? [{ use, why: `${use.value} is not pinned to a digest` }] : []))];
}

const described = ({ use, why }: UnpinnedUse): string => `${whereUsed(use)}: ${why}`;

/** `unpinnedUses`, a line each, naming where. */
export const unpinnedImages = (uses: readonly ImageUse[]): string[] => unpinnedUses(uses).map(described);

/**
 * Pinned images their registries no longer serve (deleted, or a digest written by hand), each with
 * where it is used: what release refuses besides an image by tag alone. Each manifest is fetched
 * by digest and checked against it.
 */
export async function missingImages(uses: readonly ImageUse[], options: ImageRegistryOptions): Promise<string[]> {
  const registryOf = imageRegistries(options);
  const missing: string[] = [];
  for (const [value, group] of groupedBy(uses.filter((use) => use.reference?.digest), (use) => use.value)) {
    const reference = group[0]!.reference!;
    const { client, repository } = await registryOf(reference);
    const why = await verifyImage(client, repository, reference.digest!).catch((error: unknown) => {
      if (error instanceof PublishError) return error.message;
      throw error;
    });
    if (why) missing.push(`${value} (${group.map(whereUsed).join('; ')}): ${why}`);
  }
  return missing;
}


export async function pinImages(options: PinOptions): Promise<PinResult> {
  const progress = options.onProgress ?? (() => undefined);
  const path = lockPath(options.root);
  const previous = await readLock(path);
  const uses = await imageUses(options.packageDirs);
  const problems = unpinnable(uses).map(described);
  if (problems.length > 0) throw new PublishError(`no digest can be pinned for:\n  ${problems.join('\n  ')}`, { code: 'images.reference' });

  const registryOf = imageRegistries({ ...options, onProgress: progress });

  const images: PinnedImage[] = [];
  const failures: string[] = [];
  // A reference by digest alone is pinned already: nothing to resolve.
  for (const [image, group] of groupedBy(uses.filter((use): use is Tagged => use.reference?.tag !== undefined), (use) => lockKey(use.reference))) {
    const { reference } = group[0]!;
    const usedBy = group.map(whereUsed);
    const { client, repository } = await registryOf(reference);
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

  const pinned: ImageLock = Object.fromEntries(images.map((i) => [i.image, i.digest]));
  const lock: ImageLock = options.everyEnvironment ? pinned : { ...previous, ...pinned };
  const dropped = Object.keys(previous).filter((key) => !(key in lock)).sort();
  const written = formatLock(lock) !== formatLock(previous);
  if (written) await writeLock(path, lock);
  return { lock: path, images, dropped, written };
}
