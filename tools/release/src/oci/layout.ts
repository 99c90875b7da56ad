/**
 * An OCI image layout directory (https://github.com/opencontainers/image-spec/blob/main/image-layout.md):
 * the embedded default target of `publish`, readable by skopeo (`oci:DIR:TAG`) and pushed from by a
 * later `publish --registry`. Blobs are written before index.json, each by rename, so the index
 * never names a blob that is not there.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact, Blob } from './artifact.js';
import { ANNOTATIONS, MEDIA_TYPES } from './media-types.js';

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

export class ImmutableVersionError extends Error {
  override readonly name = 'ImmutableVersionError';
}

const blobPath = (root: string, digest: string): string => join(root, 'blobs', ...digest.split(':'));
const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

async function writeAtomically(path: string, data: Buffer | string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, data, { mode: 0o644 });
  await rename(temp, path);
}

export async function readIndex(root: string): Promise<Index> {
  try {
    return JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as Index;
  } catch {
    return { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };
  }
}

export async function tagDigest(root: string, tag: string): Promise<string | undefined> {
  return (await readIndex(root)).manifests.find((m) => m.annotations?.[ANNOTATIONS.refName] === tag)?.digest;
}

export type LayoutStatus = 'written' | 'unchanged';

/** Stores the artifact under `tag`; a tag already holding other content is refused. */
export async function writeToLayout(root: string, artifact: Artifact, tag: string): Promise<LayoutStatus> {
  const existing = await tagDigest(root, tag);
  if (existing === artifact.manifest.digest) return 'unchanged';
  if (existing) {
    throw new ImmutableVersionError(`${root}:${tag} already holds ${existing}, not ${artifact.manifest.digest}: a published version never changes; bump the version`);
  }
  await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [artifact.layer, artifact.config, artifact.manifest]) {
    if (!(await exists(blobPath(root, blob.digest)))) await writeAtomically(blobPath(root, blob.digest), blob.data);
  }
  await writeAtomically(join(root, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = await readIndex(root);
  index.manifests = [
    ...index.manifests.filter((m) => m.annotations?.[ANNOTATIONS.refName] !== tag),
    { mediaType: MEDIA_TYPES.manifest, digest: artifact.manifest.digest, size: artifact.manifest.size, annotations: { [ANNOTATIONS.refName]: tag } },
  ].sort((a, b) => (a.annotations?.[ANNOTATIONS.refName] ?? '').localeCompare(b.annotations?.[ANNOTATIONS.refName] ?? ''));
  await writeAtomically(join(root, 'index.json'), JSON.stringify(index));
  return 'written';
}

export async function readBlob(root: string, digest: string, mediaType: string): Promise<Blob> {
  const data = await readFile(blobPath(root, digest));
  return { mediaType, digest, size: data.length, data };
}

/** The artifact a tag points at, read back from the layout. */
export async function readFromLayout(root: string, tag: string): Promise<Artifact | undefined> {
  const digest = await tagDigest(root, tag);
  if (!digest) return undefined;
  const manifest = await readBlob(root, digest, MEDIA_TYPES.manifest);
  const parsed = JSON.parse(manifest.data.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[]; annotations?: Record<string, string> };
  const [layer] = parsed.layers;
  if (!layer) throw new Error(`${root}:${tag} has no layer`);
  return {
    manifest,
    config: await readBlob(root, parsed.config.digest, MEDIA_TYPES.config),
    layer: await readBlob(root, layer.digest, MEDIA_TYPES.content),
    annotations: parsed.annotations ?? {},
  };
}
