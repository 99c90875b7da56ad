/**
 * `canaryship diff`: the local distribution of an environment against a published version.
 * "Unchanged" means exactly what publish means by it: the same layer bytes. Otherwise every file that
 * differs is listed, and for YAML objects the fields that differ (a comment-only change shows as a
 * changed file with no changed object).
 */
import { join } from 'node:path';
import { PublishError } from '../errors.js';
import { buildLayer, parseManifest } from '../oci/artifact.js';
import { readFromLayout } from '../oci/layout.js';
import type { RegistryAddress } from '../oci/registry-address.js';
import { readTree, untarGzip } from '../oci/tar.js';
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

export async function diffArtifact(options: DiffOptions): Promise<DiffResult> {
  const environment = await environmentOf(options.packageDir);
  const dist = join(options.packageDir, 'dist');
  const { layer: local } = await buildLayer(dist);
  let reference: string;
  let published: { digest: string; data: Buffer };
  if (options.registry) {
    const { client, host, repository } = await connectRegistry(options.registry, environment, options);
    reference = `${host}/${repository}:${options.version}`;
    const manifest = await client.getManifest(repository, options.version);
    if (!manifest) throw notPublished(reference);
    let descriptor;
    try {
      [descriptor] = parseManifest(manifest).layers;
    } catch (error) {
      throw new PublishError(`${reference} is not a canaryship artifact: ${(error as Error).message}`, { code: 'diff.not-an-artifact' });
    }
    published = { digest: descriptor.digest, data: await client.getBlob(repository, descriptor.digest, descriptor.size) };
  } else {
    const path = join(options.layoutRoot, repositoryPath(environment));
    reference = `oci:${path}:${options.version}`;
    const stored = await readFromLayout(path, options.version);
    if (!stored) throw notPublished(reference);
    published = stored.layer;
  }
  const base = { reference, publishedLayer: published.digest, localLayer: local.digest };
  if (published.digest === local.digest) return { ...base, unchanged: true, changes: [] };
  const localFiles = new Map((await readTree(dist)).flatMap((e) => (e.content ? [[e.path, e.content] as const] : [])));
  return { ...base, unchanged: false, changes: diffTrees(await untarGzip(published.data), localFiles) };
}
