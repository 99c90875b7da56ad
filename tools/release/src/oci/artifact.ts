/** Builds the OCI artifact of a distribution: layer, config and manifest, byte for byte reproducible. */
import { createHash } from 'node:crypto';
import { ANNOTATIONS, MEDIA_TYPES } from './media-types.js';
import { gzip, readTree, tarball } from './tar.js';

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
  readonly revision: string;
  readonly version: string;
}

export const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

const blob = (mediaType: string, data: Buffer): Blob => ({ mediaType, digest: sha256(data), size: data.length, data });

const descriptor = ({ mediaType, digest, size }: Blob) => ({ mediaType, digest, size });

export async function buildArtifact(dir: string, metadata: ArtifactMetadata): Promise<Artifact> {
  const tar = await tarball(await readTree(dir));
  const layer = blob(MEDIA_TYPES.content, gzip(tar));
  // Image-config shaped, as flux writes it; source-controller does not read it.
  const config = blob(
    MEDIA_TYPES.config,
    Buffer.from(JSON.stringify({ architecture: '', created: metadata.created, os: '', rootfs: { type: 'layers', diff_ids: [sha256(tar)] }, config: {} })),
  );
  const annotations = {
    [ANNOTATIONS.created]: metadata.created,
    [ANNOTATIONS.revision]: metadata.revision,
    [ANNOTATIONS.source]: metadata.source,
    [ANNOTATIONS.version]: metadata.version,
  };
  const manifest = blob(
    MEDIA_TYPES.manifest,
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config: descriptor(config), layers: [descriptor(layer)], annotations })),
  );
  return { manifest, config, layer, annotations };
}

/** Layer and config descriptors of a manifest read back from a registry or layout. */
export function parseManifest(data: Buffer): { config: { digest: string; size: number }; layers: { mediaType: string; digest: string; size: number }[]; annotations?: Record<string, string> } {
  const manifest = JSON.parse(data.toString('utf8')) as ReturnType<typeof parseManifest> & { mediaType?: string };
  if (!manifest.layers || !manifest.config) throw new Error('not an OCI image manifest');
  return manifest;
}
