/**
 * An OCI image layout directory (https://github.com/opencontainers/image-spec/blob/main/image-layout.md):
 * the embedded default target of `publish`, readable by oras (`--oci-layout DIR:TAG`) and pushed
 * from by a later `publish --registry`.
 *
 * Nothing read from it is trusted: every blob is checked against its digest and size, and the
 * manifest against Flux's artifact format, before it is pushed or compared; a tampered layout is
 * a clear error, never content passed on. Blobs are written before index.json, each by rename, so
 * the index never names a blob that is not there; index.json is rewritten under a lock, so two
 * publishes into one layout cannot lose each other's tags.
 */
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImmutableVersionError, PublishError } from '../errors.js';
import { SHA256_DIGEST } from '@canaryship/blocks';
import { withProcessLock, type ProcessLock } from '@canaryship/toolchain';
import { parseManifest, sha256, type Artifact, type Blob } from './artifact.js';
import { ANNOTATIONS, MEDIA_TYPES } from './media-types.js';
import { ARTIFACT_LIMITS } from './limits.js';
import { writeAtomically } from '@canaryship/toolchain';

export { ImmutableVersionError };

interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

interface Index {
  schemaVersion: 2;
  mediaType?: string;
  manifests: IndexEntry[];
}

const blobPath = (root: string, digest: string): string => join(root, 'blobs', ...digest.split(':'));

const corrupt = (root: string, what: string): PublishError =>
  new PublishError(`the local OCI layout ${root} is damaged: ${what}`, { code: 'layout.corrupt', hint: `remove ${root}; publish rebuilds it from dist/` });


/** The layout's index; absent means empty, anything unreadable is damage. */
export async function readIndex(root: string): Promise<Index> {
  const path = join(root, 'index.json');
  const info = await lstat(path).catch(() => undefined);
  if (!info) return { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };
  if (!info.isFile() || info.size > ARTIFACT_LIMITS.manifestBytes) throw corrupt(root, 'index.json is not a regular file of sensible size');
  let index: Index;
  try {
    index = JSON.parse(await readFile(path, 'utf8')) as Index;
  } catch {
    throw corrupt(root, 'index.json is not JSON');
  }
  if (!Array.isArray(index?.manifests) || index.manifests.some((m) => typeof m?.digest !== 'string' || !SHA256_DIGEST.test(m.digest))) {
    throw corrupt(root, 'index.json does not list manifests by sha256 digest');
  }
  return index;
}

export async function tagDigest(root: string, tag: string): Promise<string | undefined> {
  return (await readIndex(root)).manifests.find((m) => m.annotations?.[ANNOTATIONS.refName] === tag)?.digest;
}

/** Serialises index.json rewrites between processes, so two publishes cannot lose each other's tags. */
const indexLock = (root: string): ProcessLock => ({
  path: join(root, 'index.json.lock'),
  patienceMs: 30_000,
  tooLong: (holder) =>
    new PublishError(`another publish (process ${holder}) has held ${join(root, 'index.json.lock')} for 30 s`, { code: 'layout.locked', hint: 'wait for it to finish, or remove the lock if no publish is running' }),
});

export type LayoutStatus = 'written' | 'unchanged';

/** Stores the artifact under `tag`; a tag already holding other content is refused. */
export async function writeToLayout(root: string, artifact: Artifact, tag: string): Promise<LayoutStatus> {
  await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
  return withProcessLock(indexLock(root), async () => {
    const existing = await tagDigest(root, tag);
    if (existing === artifact.manifest.digest) {
      // Same content: still prove the blobs are intact before anyone pushes from them.
      await readFromLayout(root, tag);
      return 'unchanged';
    }
    if (existing) throw new ImmutableVersionError(`${root}:${tag} already holds ${existing}, not ${artifact.manifest.digest}`);
    for (const blob of [artifact.layer, artifact.config, artifact.manifest]) {
      const present = await readBlob(root, blob.digest, blob.mediaType, blob.size).then(() => true, () => false);
      if (!present) await writeAtomically(blobPath(root, blob.digest), blob.data);
    }
    await writeAtomically(join(root, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    const index = await readIndex(root);
    index.manifests = [
      ...index.manifests.filter((m) => m.annotations?.[ANNOTATIONS.refName] !== tag),
      { mediaType: MEDIA_TYPES.manifest, digest: artifact.manifest.digest, size: artifact.manifest.size, annotations: { [ANNOTATIONS.refName]: tag } },
    ].sort((a, b) => (a.annotations?.[ANNOTATIONS.refName] ?? '').localeCompare(b.annotations?.[ANNOTATIONS.refName] ?? ''));
    await writeAtomically(join(root, 'index.json'), JSON.stringify(index));
    return 'written';
  });
}

/** A blob of the layout, checked against its digest (and size, when known); a symlink or a mismatch is damage. */
export async function readBlob(root: string, digest: string, mediaType: string, size?: number): Promise<Blob> {
  if (!SHA256_DIGEST.test(digest)) throw corrupt(root, `${digest} is not a sha256 digest`);
  const path = blobPath(root, digest);
  const info = await lstat(path).catch(() => undefined);
  if (!info) throw corrupt(root, `blob ${digest} is missing`);
  if (!info.isFile()) throw corrupt(root, `blob ${digest} is not a regular file`);
  if (info.size > ARTIFACT_LIMITS.blobBytes || (size !== undefined && info.size !== size)) throw corrupt(root, `blob ${digest} has ${info.size} bytes${size !== undefined ? `, not ${size}` : ''}`);
  const data = await readFile(path);
  if (sha256(data) !== digest) throw corrupt(root, `blob ${digest} does not match its digest (it holds ${sha256(data)})`);
  return { mediaType, digest, size: data.length, data };
}

/** The artifact a tag points at, read back from the layout and verified blob by blob. */
export async function readFromLayout(root: string, tag: string): Promise<Artifact | undefined> {
  const entry = (await readIndex(root)).manifests.find((m) => m.annotations?.[ANNOTATIONS.refName] === tag);
  if (!entry) return undefined;
  const manifest = await readBlob(root, entry.digest, MEDIA_TYPES.manifest, entry.size);
  const parsed = (() => {
    try {
      return parseManifest(manifest.data);
    } catch (error) {
      throw corrupt(root, `manifest ${entry.digest}: ${(error as Error).message}`);
    }
  })();
  const [layer] = parsed.layers;
  return {
    manifest,
    config: await readBlob(root, parsed.config.digest, MEDIA_TYPES.config, parsed.config.size),
    layer: await readBlob(root, layer.digest, MEDIA_TYPES.content, layer.size),
    annotations: parsed.annotations,
  };
}
