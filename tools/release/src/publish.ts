/**
 * Publishes one environment package's distribution as a Flux OCI artifact:
 * `<registry>/webapp/<environment>:<version>`. Always into the local OCI layout (the embedded
 * default, no server needed); with a registry, then pushed from there, after the layout's copy is
 * verified against the artifact built from dist/.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { APP_NAME, ENVIRONMENTS, type EnvironmentName } from '@canaryship/blocks';
import { withDistributionLock } from '@canaryship/toolchain';
import semver from 'semver';
import { ImmutableVersionError, PublishError } from './errors.js';
import { releaseCommit } from './git.js';
import { releaseNotes } from './versioning/release-notes.js';
import { buildArtifact, type Artifact } from './oci/artifact.js';
import { findCredentials } from './oci/credentials.js';
import { readFromLayout, tagDigest, writeToLayout, type LayoutStatus } from './oci/layout.js';
import { explainDifference, pushArtifact, type PushResult } from './oci/push.js';
import type { RegistryAddress } from './oci/registry-address.js';
import { createRegistryClient, type RegistryClient, type RegistryOptions, type RegistryReader } from './oci/registry.js';

/** How to reach a registry: the client's settings, and the environment its credentials are read from. */
export type ConnectOptions = Pick<RegistryOptions, 'retry' | 'requestTimeoutMs' | 'onProgress'> & { readonly env?: NodeJS.ProcessEnv };

export interface PublishOptions extends ConnectOptions {
  /** The environment package directory, e.g. environments/istio (its dist/ must be rendered). */
  readonly packageDir: string;
  /** Root of the local OCI layouts; each artifact repository gets `<layout>/webapp/<env>`. */
  readonly layoutRoot: string;
  /** Without it, publish only into the layout. */
  readonly registry?: RegistryAddress;
}

export interface PublishResult {
  readonly environment: EnvironmentName;
  readonly package: string;
  readonly version: string;
  /** What a signing step and an OCIRepository need. */
  readonly reference: string;
  readonly digest: string;
  readonly layerDigest: string;
  /** `<tag>@sha1:<commit>`: the release commit, as Flux's notifications read it. */
  readonly revision: string;
  readonly layout: { readonly path: string; readonly status: LayoutStatus };
  readonly registry?: PushResult & { readonly repository: string };
}

interface PackageJson {
  readonly name: string;
  readonly version: string;
}

export async function environmentOf(packageDir: string): Promise<EnvironmentName> {
  const name = basename(resolve(packageDir));
  if (!(ENVIRONMENTS as readonly string[]).includes(name)) throw new PublishError(`${packageDir} is not an environment package (${ENVIRONMENTS.join(', ')})`, { code: 'publish.not-an-environment', exitCode: 2 });
  return name as EnvironmentName;
}

export const repositoryPath = (environment: EnvironmentName, prefix = ''): string => [prefix, APP_NAME, environment].filter(Boolean).join('/');

async function readJson<T>(path: string, what: string): Promise<T> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new PublishError(`${what}: ${path} cannot be read`, { code: 'publish.package-json' });
  });
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PublishError(`${what}: ${path} is not JSON`, { code: 'publish.package-json' });
  }
}

/** The package's name and version, checked: the version becomes an OCI tag. */
export async function packageManifest(packageDir: string): Promise<PackageJson> {
  const manifest = await readJson<Partial<PackageJson>>(join(packageDir, 'package.json'), 'the environment package');
  if (typeof manifest.version === 'string' && manifest.version.includes('+')) throw new PublishError(`${manifest.name}@${manifest.version}: semver build metadata (+) cannot be an OCI tag`, { code: 'publish.version' });
  if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string' || semver.valid(manifest.version) !== manifest.version) {
    throw new PublishError(`${packageDir}/package.json needs a name and a semver version, has ${JSON.stringify({ name: manifest.name, version: manifest.version })}`, { code: 'publish.package-json' });
  }
  return manifest as PackageJson;
}

/** The project's source URL, from the root package.json: the same on every machine. */
async function sourceUrl(packageDir: string): Promise<string> {
  const root = await readJson<{ repository?: { url?: string } | string }>(join(packageDir, '../../package.json'), 'the repository root');
  const url = typeof root.repository === 'string' ? root.repository : root.repository?.url;
  if (!url) throw new PublishError('the root package.json has no repository url for org.opencontainers.image.source', { code: 'publish.package-json' });
  return url.replace(/^git\+/, '').replace(/\.git$/, '');
}

export interface RegistryTarget<Client extends RegistryReader = RegistryClient> {
  readonly client: Client;
  readonly host: string;
  /** `[prefix/]webapp/<environment>` */
  readonly repository: string;
}

/** A client for the address (with the host's credentials, asking for `access` and no more) and the environment's repository. */
export async function connectRegistry(address: RegistryAddress, environment: EnvironmentName, options: ConnectOptions & { access: 'pull' }): Promise<RegistryTarget<RegistryReader>>;
export async function connectRegistry(address: RegistryAddress, environment: EnvironmentName, options: ConnectOptions & { access: 'push' }): Promise<RegistryTarget>;
export async function connectRegistry(address: RegistryAddress, environment: EnvironmentName, { env, ...settings }: ConnectOptions & Pick<RegistryOptions, 'access'>): Promise<RegistryTarget<RegistryReader>> {
  const credentials = await findCredentials(address.host, env);
  const client = createRegistryClient({ ...settings, address, ...(credentials && { credentials }) });
  return { client, host: address.host, repository: repositoryPath(environment, address.prefix) };
}

export async function buildEnvironmentArtifact(packageDir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ artifact: Artifact; manifest: PackageJson }> {
  const manifest = await packageManifest(packageDir);
  const { created, commit } = await releaseCommit(packageDir, env);
  const notes = await releaseNotes(packageDir, commit, manifest.name, manifest.version);
  const artifact = await buildArtifact(join(packageDir, 'dist'), {
    created,
    source: await sourceUrl(packageDir),
    revision: `${manifest.name}@${manifest.version}@sha1:${commit}`,
    version: manifest.version,
    ...(notes !== undefined && { notes }),
  });
  return { artifact, manifest };
}

export async function publish(options: PublishOptions): Promise<PublishResult> {
  const progress = options.onProgress ?? (() => undefined);
  const environment = await environmentOf(options.packageDir);
  const { artifact, manifest } = await withDistributionLock([join(options.packageDir, 'dist')], () => buildEnvironmentArtifact(options.packageDir, options.env));
  const tag = manifest.version;

  const layoutPath = join(options.layoutRoot, repositoryPath(environment));
  progress(`${environment}: artifact ${artifact.manifest.digest} (layer ${artifact.layer.digest})`);
  const layoutStatus = await writeToLayout(layoutPath, artifact, tag).catch(async (error: unknown) => {
    if (!(error instanceof ImmutableVersionError)) throw error;
    const existing = await readFromLayout(layoutPath, tag);
    const digest = await tagDigest(layoutPath, tag);
    throw new ImmutableVersionError(`${layoutPath}:${tag} already holds ${digest}, not ${artifact.manifest.digest}: ${existing ? explainDifference(existing.manifest.data, artifact) : 'unreadable'}`);
  });
  progress(`${environment}: layout ${layoutPath}:${tag} ${layoutStatus}`);
  const base = {
    environment,
    package: manifest.name,
    version: tag,
    digest: artifact.manifest.digest,
    layerDigest: artifact.layer.digest,
    revision: artifact.annotations['org.opencontainers.image.revision'] ?? '',
    layout: { path: layoutPath, status: layoutStatus },
  };
  if (!options.registry) return { ...base, reference: `oci:${layoutPath}:${tag}` };

  const { client, host, repository } = await connectRegistry(options.registry, environment, { ...options, access: 'push', onProgress: (message) => progress(`${environment}: ${message}`) });
  // Pushed from the layout, each blob verified on the way: what the embedded default holds is what goes out.
  const stored = await readFromLayout(layoutPath, tag);
  if (stored?.manifest.digest !== artifact.manifest.digest) throw new Error(`bug: ${layoutPath}:${tag} does not hold the artifact just written`);
  const pushed = await pushArtifact(client, repository, tag, stored, (message) => progress(`${environment}: ${message}`));
  return { ...base, digest: pushed.digest, reference: `${host}/${repository}:${tag}`, registry: { ...pushed, repository } };
}
