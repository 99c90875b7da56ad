/**
 * `canaryship diff`: the local distribution of an environment against a published version.
 * "Unchanged" means exactly what publish means by it: the same layer bytes. Otherwise every file that
 * differs is listed, and for YAML objects the fields that differ (a comment-only change shows as a
 * changed file with no changed object).
 */
import { join } from 'node:path';
import type { EnvironmentName } from '@canaryship/blocks';
import { withDistributionLock } from '@canaryship/toolchain';
import semver from 'semver';
import { PublishError } from '../errors.js';
import { layerOf, parseManifest } from '../oci/artifact.js';
import { readFromLayout, readIndex } from '../oci/layout.js';
import { ANNOTATIONS } from '../oci/media-types.js';
import type { RegistryAddress } from '../oci/registry-address.js';
import { filesOf, readTree, untarGzip } from '../oci/tar.js';
import { connectRegistry, environmentOf, repositoryPath, type ConnectOptions } from '../publish.js';
import { diffTrees, type ObjectChange } from './object-diff.js';

export interface DiffOptions extends ConnectOptions {
  readonly packageDir: string;
  readonly version: string;
  readonly layoutRoot: string;
  readonly registry?: RegistryAddress;
}

export interface DiffResult {
  readonly reference: string;
  readonly unchanged: boolean;
  readonly publishedLayer: string;
  readonly localLayer: string;
  readonly changes: readonly ObjectChange[];
}

const notPublished = (reference: string): PublishError => new PublishError(`${reference} is not published`, { code: 'diff.not-published', hint: 'check --version and --registry' });

/** A published version's layer, from the registry (with `registry`) or the local layout. */
export async function publishedLayer(options: Omit<DiffOptions, 'packageDir'> & { environment: EnvironmentName }): Promise<{ reference: string; digest: string; data: Buffer }> {
  const { environment, version } = options;
  if (options.registry) {
    const { client, host, repository } = await connectRegistry(options.registry, environment, { ...options, access: 'pull' });
    const reference = `${host}/${repository}:${version}`;
    const manifest = await client.getManifest(repository, version);
    if (!manifest) throw notPublished(reference);
    let descriptor;
    try {
      [descriptor] = parseManifest(manifest).layers;
    } catch (error) {
      throw new PublishError(`${reference} is not a canaryship artifact: ${(error as Error).message}`, { code: 'diff.not-an-artifact' });
    }
    return { reference, digest: descriptor.digest, data: await client.getBlob(repository, descriptor.digest, descriptor.size) };
  }
  const path = join(options.layoutRoot, repositoryPath(environment));
  const reference = `oci:${path}:${version}`;
  const stored = await readFromLayout(path, version);
  if (!stored) throw notPublished(reference);
  return { reference, ...stored.layer };
}

/** The versions published for an environment (tags that are release versions), lowest first. */
export async function publishedVersions(options: Omit<DiffOptions, 'packageDir' | 'version'> & { environment: EnvironmentName }): Promise<string[]> {
  let tags: string[];
  if (options.registry) {
    const { client, repository } = await connectRegistry(options.registry, options.environment, { ...options, access: 'pull' });
    tags = await client.listTags(repository);
  } else {
    const index = await readIndex(join(options.layoutRoot, repositoryPath(options.environment)));
    tags = index.manifests.flatMap((m) => m.annotations?.[ANNOTATIONS.refName] ?? []);
  }
  return semver.sort(tags.filter((t) => semver.valid(t) === t));
}

/** The highest published version at or below `version` (a pull request's package has not been bumped yet), if any. */
export async function lastPublished(options: Omit<DiffOptions, 'packageDir' | 'version'> & { environment: EnvironmentName }, version: string): Promise<string | undefined> {
  return (await publishedVersions(options)).filter((v) => semver.lte(v, version)).at(-1);
}

export async function diffArtifact(options: DiffOptions): Promise<DiffResult> {
  const environment = await environmentOf(options.packageDir);
  const dist = join(options.packageDir, 'dist');
  const published = await publishedLayer({ ...options, environment });
  // Read once, under the lock: the layer and the files compared come from the same tree.
  const tree = await withDistributionLock([dist], () => readTree(dist));
  const { layer: local } = await layerOf(tree);
  const base = { reference: published.reference, publishedLayer: published.digest, localLayer: local.digest };
  if (published.digest === local.digest) return { ...base, unchanged: true, changes: [] };
  return { ...base, unchanged: false, changes: diffTrees(await untarGzip(published.data), filesOf(tree)) };
}
