/**
 * Publishes one environment package's distribution as a Flux OCI artifact:
 * `<registry>/webapp/<environment>:<version>`. Always into the local OCI layout (the embedded
 * default, no server needed); with a registry, then pushed from there.
 */
import { PublishError } from './errors.js';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { APP_NAME, ENVIRONMENTS, type EnvironmentName } from '@canaryship/blocks';
import { buildArtifact, type Artifact } from './oci/artifact.js';
import { findCredentials } from './oci/credentials.js';
import { readFromLayout, writeToLayout, type LayoutStatus } from './oci/layout.js';
import { pushArtifact, type PushResult } from './oci/push.js';
import { createRegistryClient, type RegistryClient, type RegistryOptions } from './oci/registry.js';
import { releaseTime } from './git.js';

export interface PublishOptions {
  /** The environment package directory, e.g. environments/istio (its dist/ must be rendered). */
  readonly packageDir: string;
  /** Root of the local OCI layouts; each artifact repository gets `<layout>/webapp/<env>`. */
  readonly layoutRoot: string;
  /** `host[:port][/prefix]`; without it, publish only into the layout. */
  readonly registry?: string;
  readonly insecure?: boolean;
  readonly retry?: RegistryOptions['retry'];
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (message: string) => void;
}

export interface PublishResult {
  readonly environment: EnvironmentName;
  readonly package: string;
  readonly version: string;
  /** What a signing step and an OCIRepository need. */
  readonly reference: string;
  readonly digest: string;
  readonly layerDigest: string;
  readonly layout: { readonly path: string; readonly status: LayoutStatus };
  readonly registry?: PushResult & { readonly repository: string };
}

interface PackageJson {
  name: string;
  version: string;
}

export async function environmentOf(packageDir: string): Promise<EnvironmentName> {
  const name = basename(resolve(packageDir));
  if (!(ENVIRONMENTS as readonly string[]).includes(name)) throw new PublishError(`${packageDir} is not an environment package (${ENVIRONMENTS.join(', ')})`);
  return name as EnvironmentName;
}

export const repositoryPath = (environment: EnvironmentName, prefix = ''): string => [prefix, APP_NAME, environment].filter(Boolean).join('/');

/** The project's source URL, from the root package.json: the same on every machine. */
async function sourceUrl(packageDir: string): Promise<string> {
  const root = JSON.parse(await readFile(join(packageDir, '../../package.json'), 'utf8')) as { repository?: { url?: string } | string };
  const url = typeof root.repository === 'string' ? root.repository : root.repository?.url;
  if (!url) throw new PublishError('the root package.json has no repository url for org.opencontainers.image.source');
  return url.replace(/^git\+/, '').replace(/\.git$/, '');
}

export interface RegistryTarget {
  readonly client: RegistryClient;
  readonly host: string;
  /** `[prefix/]webapp/<environment>` */
  readonly repository: string;
}

/** `host[:port][/prefix]` → a client (with the host's credentials) and the environment's repository. */
export async function connectRegistry(
  registry: string,
  environment: EnvironmentName,
  options: Pick<RegistryOptions, 'insecure' | 'retry' | 'onRetry'> & { readonly env?: NodeJS.ProcessEnv },
): Promise<RegistryTarget> {
  const [host = '', ...prefix] = registry.replace(/^oci:\/\//, '').split('/');
  const credentials = await findCredentials(host, options.env);
  const client = createRegistryClient({
    host,
    ...(options.insecure !== undefined && { insecure: options.insecure }),
    ...(credentials && { credentials }),
    ...(options.retry && { retry: options.retry }),
    ...(options.onRetry && { onRetry: options.onRetry }),
  });
  return { client, host, repository: repositoryPath(environment, prefix.join('/')) };
}

export async function buildEnvironmentArtifact(packageDir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ artifact: Artifact; manifest: PackageJson }> {
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as PackageJson;
  const artifact = await buildArtifact(join(packageDir, 'dist'), {
    created: await releaseTime(packageDir, env),
    source: await sourceUrl(packageDir),
    revision: `${manifest.name}@${manifest.version}`,
    version: manifest.version,
  });
  return { artifact, manifest };
}

export async function publish(options: PublishOptions): Promise<PublishResult> {
  const progress = options.onProgress ?? (() => undefined);
  const environment = await environmentOf(options.packageDir);
  const { artifact, manifest } = await buildEnvironmentArtifact(options.packageDir, options.env);
  const tag = manifest.version;
  if (tag.includes('+')) throw new PublishError(`${manifest.name}@${tag}: semver build metadata (+) cannot be an OCI tag`);

  const layoutPath = join(options.layoutRoot, repositoryPath(environment));
  progress(`${environment}: artifact ${artifact.manifest.digest} (layer ${artifact.layer.digest})`);
  const layoutStatus = await writeToLayout(layoutPath, artifact, tag);
  progress(`${environment}: layout ${layoutPath}:${tag} ${layoutStatus}`);
  const base = {
    environment,
    package: manifest.name,
    version: tag,
    digest: artifact.manifest.digest,
    layerDigest: artifact.layer.digest,
    layout: { path: layoutPath, status: layoutStatus },
  };
  if (!options.registry) return { ...base, reference: `oci:${layoutPath}:${tag}` };

  const { client, host, repository } = await connectRegistry(options.registry, environment, {
    ...(options.insecure !== undefined && { insecure: options.insecure }),
    ...(options.retry && { retry: options.retry }),
    ...(options.env && { env: options.env }),
    onRetry: (message) => progress(`${environment}: ${message}`),
  });
  // Pushed from the layout: what the embedded default holds is exactly what goes out.
  const stored = await readFromLayout(layoutPath, tag);
  if (!stored) throw new Error(`bug: ${layoutPath}:${tag} missing right after it was written`);
  const pushed = await pushArtifact(client, repository, tag, stored, (message) => progress(`${environment}: ${message}`));
  return { ...base, reference: `${host}/${repository}:${tag}`, registry: { ...pushed, repository } };
}
