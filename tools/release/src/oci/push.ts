/**
 * Pushes an artifact to a registry under an immutable version tag, then (only then) moves `latest`.
 * Order makes it safe to interrupt anywhere: blobs first, so a tag never points at missing content;
 * blobs already there are skipped, so a rerun completes what an interrupted run started.
 */
import semver from 'semver';
import type { Artifact } from './artifact.js';
import { ImmutableVersionError } from './layout.js';
import type { RegistryClient } from './registry.js';

export type PushStatus = 'pushed' | 'unchanged';

export interface PushResult {
  readonly status: PushStatus;
  /** Blobs uploaded by this run (0 for unchanged). */
  readonly uploaded: number;
  readonly latest: boolean;
}

export async function pushArtifact(
  client: RegistryClient,
  repository: string,
  tag: string,
  artifact: Artifact,
  onProgress: (message: string) => void = () => undefined,
): Promise<PushResult> {
  const existing = await client.manifestDigest(repository, tag);
  if (existing === artifact.manifest.digest) {
    onProgress(`${client.host}/${repository}:${tag} already holds ${existing}: nothing to upload`);
    return { status: 'unchanged', uploaded: 0, latest: false };
  }
  if (existing) {
    throw new ImmutableVersionError(
      `${client.host}/${repository}:${tag} already holds ${existing}, not ${artifact.manifest.digest}: a published version never changes; bump the version`,
    );
  }
  let uploaded = 0;
  for (const blob of [artifact.layer, artifact.config]) {
    if (await client.hasBlob(repository, blob.digest)) {
      onProgress(`blob ${blob.digest} already present`);
      continue;
    }
    onProgress(`uploading ${blob.mediaType} ${blob.digest} (${blob.size} bytes)`);
    await client.uploadBlob(repository, blob);
    uploaded += 1;
  }
  onProgress(`tagging ${client.host}/${repository}:${tag} → ${artifact.manifest.digest}`);
  await client.putManifest(repository, tag, artifact.manifest);

  // `latest` follows the highest release, never a pre-release or an older patch published late.
  const releases = (await client.listTags(repository)).filter((t) => semver.valid(t) !== null && semver.prerelease(t) === null);
  const highest = releases.sort(semver.rcompare)[0];
  const latest = semver.prerelease(tag) === null && highest === tag;
  if (latest) {
    onProgress(`moving ${client.host}/${repository}:latest → ${tag}`);
    await client.putManifest(repository, 'latest', artifact.manifest);
  }
  return { status: 'pushed', uploaded, latest };
}
