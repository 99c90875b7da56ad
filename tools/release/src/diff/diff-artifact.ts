/** `canaryship diff`: the local distribution of an environment against a published version. */
import { PublishError } from '../errors.js';
import { join } from 'node:path';
import { buildEnvironmentArtifact, connectRegistry, environmentOf, repositoryPath } from '../publish.js';
import { parseManifest } from '../oci/artifact.js';
import { readFromLayout } from '../oci/layout.js';
import { readTree, untarGzip } from '../oci/tar.js';
import { diffTrees, type ObjectChange } from './object-diff.js';

export interface DiffOptions {
  readonly packageDir: string;
  readonly version: string;
  readonly layoutRoot: string;
  readonly registry?: string;
  readonly insecure?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

export interface DiffResult {
  readonly reference: string;
  readonly unchanged: boolean;
  readonly publishedLayer: string;
  readonly localLayer: string;
  readonly changes: readonly ObjectChange[];
}

export async function diffArtifact(options: DiffOptions): Promise<DiffResult> {
  const environment = await environmentOf(options.packageDir);
  const { artifact: local } = await buildEnvironmentArtifact(options.packageDir, { SOURCE_DATE_EPOCH: '0', ...options.env });
  let reference: string;
  let layer: { digest: string; data: Buffer };
  if (options.registry) {
    const { client, host, repository } = await connectRegistry(options.registry, environment, {
      ...(options.insecure !== undefined && { insecure: options.insecure }),
      ...(options.env && { env: options.env }),
    });
    reference = `${host}/${repository}:${options.version}`;
    const manifest = await client.getManifest(repository, options.version);
    if (!manifest) throw new PublishError(`${reference} is not published`);
    const [descriptor] = parseManifest(manifest).layers;
    if (!descriptor) throw new PublishError(`${reference} has no layer`);
    layer = { digest: descriptor.digest, data: await client.getBlob(repository, descriptor.digest) };
  } else {
    const path = join(options.layoutRoot, repositoryPath(environment));
    reference = `oci:${path}:${options.version}`;
    const stored = await readFromLayout(path, options.version);
    if (!stored) throw new PublishError(`${reference} is not published`);
    layer = stored.layer;
  }
  const base = { reference, publishedLayer: layer.digest, localLayer: local.layer.digest };
  // Same layer bytes: nothing to compare (what `flux diff artifact` checks).
  if (layer.digest === local.layer.digest) return { ...base, unchanged: true, changes: [] };
  const localFiles = new Map((await readTree(join(options.packageDir, 'dist'))).flatMap((e) => (e.content ? [[e.path, e.content] as const] : [])));
  const changes = diffTrees(await untarGzip(layer.data), localFiles);
  return { ...base, unchanged: changes.length === 0, changes };
}
