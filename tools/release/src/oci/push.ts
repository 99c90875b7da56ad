/**
 * Pushes an artifact to a registry under an immutable version tag, then moves `latest`.
 *
 * - Blobs first, so a tag never points at missing content; blobs already there are skipped, and a
 *   version already holding this very artifact still gets every later step (`latest`), so a rerun
 *   completes whatever an interrupted run started.
 * - The registry cannot lock a tag: after writing, the tag is read back, and once more at the end.
 *   If another publish of the same version with other content wrote it meanwhile, this run fails
 *   loudly; what is reported is what the registry holds.
 */
import semver from 'semver';
import { ImmutableVersionError, PublishError } from '../errors.js';
import { parseManifest, sha256, type Artifact } from './artifact.js';
import { ANNOTATIONS } from './media-types.js';
import type { RegistryClient } from './registry.js';

export type PushStatus = 'pushed' | 'unchanged';

export interface PushResult {
  readonly status: PushStatus;
  /** Blobs uploaded by this run (0 for unchanged). */
  readonly uploaded: number;
  /** `latest` points at this version after the run. */
  readonly latest: boolean;
  /** The digest the registry holds under the version tag (verified equal to the artifact's). */
  readonly digest: string;
}

/** Why a version tag's manifest is not ours: other content, or the same content from another release commit. */
export function explainDifference(existing: Buffer, ours: Artifact): string {
  let theirs;
  try {
    theirs = parseManifest(existing);
  } catch (error) {
    return `it holds something that is not a canaryship artifact (${(error as Error).message})`;
  }
  if (theirs.layers[0].digest !== ours.layer.digest) return 'the distribution differs (another layer)';
  const differing = [ANNOTATIONS.created, ANNOTATIONS.revision, ANNOTATIONS.source, ANNOTATIONS.description]
    .filter((key) => theirs.annotations[key] !== ours.annotations[key])
    .map((key) => `${key.replace('org.opencontainers.image.', '')} ${JSON.stringify(theirs.annotations[key])} there, ${JSON.stringify(ours.annotations[key])} here`);
  return `the distribution is the same, but the release metadata differs (${differing.join('; ') || 'manifest bytes'}): this clone's release commit for the version is not the one that was published`;
}

const concurrent = (reference: string, holds: string | undefined, ours: string): PublishError =>
  new PublishError(`${reference} changed while this publish ran: it now holds ${holds ?? 'nothing'}, not ${ours}; another publish of this version won and this run's artifact is not what the tag names`, {
    code: 'publish.concurrent',
    hint: 'publish each version from one place (CI serialises releases); check which content the tag holds before using it',
  });

export async function pushArtifact(
  client: RegistryClient,
  repository: string,
  tag: string,
  artifact: Artifact,
  onProgress: (message: string) => void = () => undefined,
): Promise<PushResult> {
  const reference = `${client.host}/${repository}:${tag}`;
  const ours = artifact.manifest.digest;
  const existing = await client.getManifest(repository, tag);
  let status: PushStatus = 'unchanged';
  let uploaded = 0;
  if (existing && sha256(existing) !== ours) {
    throw new ImmutableVersionError(`${reference} already holds ${sha256(existing)}, not ${ours}: ${explainDifference(existing, artifact)}`);
  }
  if (existing) onProgress(`${reference} already holds ${ours}: nothing to upload`);
  else {
    for (const blob of [artifact.layer, artifact.config]) {
      if (await client.hasBlob(repository, blob.digest)) {
        onProgress(`blob ${blob.digest} already present`);
        continue;
      }
      await client.uploadBlob(repository, blob);
      uploaded += 1;
    }
    onProgress(`tagging ${reference} → ${ours}`);
    await client.putManifest(repository, tag, artifact.manifest);
    status = 'pushed';
    const written = await client.manifestDigest(repository, tag);
    if (written !== ours) throw concurrent(reference, written, ours);
  }

  // `latest` follows the highest release, never a pre-release or an older patch published late.
  const releases = (await client.listTags(repository)).filter((t) => semver.valid(t) !== null && semver.prerelease(t) === null);
  const highest = releases.sort(semver.rcompare)[0];
  const latest = semver.prerelease(tag) === null && highest === tag;
  if (latest && (await client.manifestDigest(repository, 'latest')) !== ours) {
    onProgress(`moving ${client.host}/${repository}:latest → ${tag}`);
    await client.putManifest(repository, 'latest', artifact.manifest);
  }
  const final = await client.manifestDigest(repository, tag);
  if (final !== ours) throw concurrent(reference, final, ours);
  return { status, uploaded, latest, digest: final };
}
