/** Builds the OCI artifact of a distribution: layer, config and manifest, byte for byte reproducible. */
import { createHash } from 'node:crypto';
import { ANNOTATIONS, MEDIA_TYPES } from './media-types.js';
import { gzip, readTree, tarball, type TreeEntry } from './tar.js';

export interface Blob {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly data: Buffer;
}

export interface Artifact {
  readonly manifest: Blob;
  readonly config: Blob;
  readonly layer: Blob;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ArtifactMetadata {
  /** RFC 3339, from the release (never the clock). */
  readonly created: string;
  readonly source: string;
  /** Flux's convention, `<tag>@sha1:<commit>`: Flux's notifications read the commit from it. */
  readonly revision: string;
  readonly version: string;
  /** What the release says to providers (its CHANGELOG section), when it says anything. */
  readonly notes?: string;
}

export const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

const blob = (mediaType: string, data: Buffer): Blob => ({ mediaType, digest: sha256(data), size: data.length, data });

const descriptor = ({ mediaType, digest, size }: Blob) => ({ mediaType, digest, size });

/** The layer of a distribution's tree, already read: a reproducible tar+gzip, and the digest of the uncompressed tar. */
export async function layerOf(tree: readonly TreeEntry[]): Promise<{ layer: Blob; tarDigest: string }> {
  const tar = await tarball(tree);
  return { layer: blob(MEDIA_TYPES.content, gzip(tar)), tarDigest: sha256(tar) };
}

/** The distribution's layer: a reproducible tar+gzip of `dir`, and the digest of the uncompressed tar. */
export const buildLayer = async (dir: string): Promise<{ layer: Blob; tarDigest: string }> => layerOf(await readTree(dir));

export async function buildArtifact(dir: string, metadata: ArtifactMetadata): Promise<Artifact> {
  const { layer, tarDigest } = await buildLayer(dir);
  // Image-config shaped, as flux writes it; source-controller does not read it.
  const config = blob(
    MEDIA_TYPES.config,
    Buffer.from(JSON.stringify({ architecture: '', created: metadata.created, os: '', rootfs: { type: 'layers', diff_ids: [tarDigest] }, config: {} })),
  );
  const annotations = {
    [ANNOTATIONS.created]: metadata.created,
    [ANNOTATIONS.revision]: metadata.revision,
    [ANNOTATIONS.source]: metadata.source,
    [ANNOTATIONS.version]: metadata.version,
    ...(metadata.notes !== undefined && { [ANNOTATIONS.description]: metadata.notes }),
  };
  const manifest = blob(
    MEDIA_TYPES.manifest,
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config: descriptor(config), layers: [descriptor(layer)], annotations })),
  );
  return { manifest, config, layer, annotations };
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface ParsedManifest {
  readonly config: Descriptor;
  /** Exactly one: the distribution's tar+gzip, as Flux expects it. */
  readonly layers: readonly [Descriptor];
  readonly annotations: Readonly<Record<string, string>>;
}

const isDescriptor = (value: unknown, mediaType: string): value is Descriptor => {
  const d = value as Partial<Descriptor> | null;
  return d?.mediaType === mediaType && typeof d.digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(d.digest) && Number.isSafeInteger(d.size) && (d.size ?? -1) >= 0;
};

/** A manifest read back from a registry or layout, checked to be a Flux artifact of ours; throws saying what is off. */
export function parseManifest(data: Buffer): ParsedManifest {
  let manifest: { mediaType?: unknown; config?: unknown; layers?: unknown; annotations?: unknown };
  try {
    manifest = JSON.parse(data.toString('utf8')) as typeof manifest;
  } catch {
    throw new Error('not JSON');
  }
  if (manifest?.mediaType !== MEDIA_TYPES.manifest) throw new Error(`not an OCI image manifest (mediaType ${JSON.stringify(manifest?.mediaType)})`);
  if (!isDescriptor(manifest.config, MEDIA_TYPES.config)) throw new Error(`its config is not a blob of type ${MEDIA_TYPES.config}`);
  const layers = manifest.layers;
  if (!Array.isArray(layers) || layers.length !== 1 || !isDescriptor(layers[0], MEDIA_TYPES.content)) throw new Error(`it does not hold exactly one layer of type ${MEDIA_TYPES.content}`);
  const annotations = (manifest.annotations ?? {}) as Record<string, unknown>;
  if (typeof annotations !== 'object' || Object.values(annotations).some((v) => typeof v !== 'string')) throw new Error('its annotations are not strings');
  return { config: manifest.config, layers: [layers[0]], annotations: annotations as Record<string, string> };
}
