/**
 * A tag's digest: the digest of the manifest (or, for a multi-platform image, the index) its
 * registry serves for it, computed from the bytes rather than taken from a header, as the kubelet
 * will check them when it pulls `image:tag@digest`.
 */
import { PublishError } from '../errors.js';
import { sha256 } from '../oci/artifact.js';
import type { RegistryReader } from '../oci/registry.js';

/** What a container runtime accepts as an image: OCI and Docker, single and multi-platform. */
const IMAGE_MANIFESTS = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;
const IMAGE_CONFIGS = ['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'];
const INDEXES: readonly string[] = IMAGE_MANIFESTS.slice(0, 2);

/** Why the manifest is not a container image, or undefined when it is one. */
function notAnImage(data: Buffer): string | undefined {
  let manifest: { mediaType?: unknown; config?: { mediaType?: unknown }; manifests?: unknown };
  try {
    manifest = JSON.parse(data.toString('utf8')) as typeof manifest;
  } catch {
    return 'the registry answered a manifest that is not JSON';
  }
  // OCI manifests may leave mediaType out; their shape says which they are.
  const mediaType = typeof manifest.mediaType === 'string' ? manifest.mediaType : Array.isArray(manifest.manifests) ? IMAGE_MANIFESTS[0] : IMAGE_MANIFESTS[2];
  if (!(IMAGE_MANIFESTS as readonly string[]).includes(mediaType)) return `it names ${mediaType.slice(0, 100)}, not a container image`;
  if (INDEXES.includes(mediaType)) return Array.isArray(manifest.manifests) && manifest.manifests.length > 0 ? undefined : 'its index lists no image';
  const config = manifest.config?.mediaType;
  return typeof config === 'string' && IMAGE_CONFIGS.includes(config) ? undefined : `it is an artifact (config ${String(config).slice(0, 100)}), not a container image`;
}

/** Why the registry does not serve the image `digest` names (undefined when it does); the client checks the bytes against the digest. */
export async function verifyImage(client: RegistryReader, repository: string, digest: string): Promise<string | undefined> {
  const data = await client.getManifest(repository, digest, IMAGE_MANIFESTS.join(', '));
  if (data === undefined) return `${client.host} does not have it in ${repository}`;
  return notAnImage(data);
}

export async function resolveImage(client: RegistryReader, repository: string, tag: string): Promise<string> {
  const data = await client.getManifest(repository, tag, IMAGE_MANIFESTS.join(', '));
  if (data === undefined) throw new PublishError(`${client.host} has no tag ${tag} in ${repository}`, { code: 'images.no-such-tag' });
  const why = notAnImage(data);
  if (why) throw new PublishError(`${client.host}/${repository}:${tag}: ${why}`, { code: 'images.not-an-image' });
  return sha256(data);
}
