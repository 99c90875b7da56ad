/**
 * Publishes one environment package's distribution as a Flux OCI artifact:
 * `<registry>/webapp/<environment>:<version>`. Always into the local OCI layout (the embedded
 * default, no server needed); with a registry, then pushed from there, after the layout's copy is
 * verified against the artifact built from dist/. With a registry and a bundle renderer, the
 * provider bundle for that version goes beside it, `<registry>/webapp/<environment>/bundle:<version>`,
 * in the same format: a provider fetches it with Flux's CLI alone (`flux pull artifact`).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { APP_NAME, ENVIRONMENTS, type EnvironmentName, type RenderedFile } from '@canaryship/blocks';
import { withDistributionLock } from '@canaryship/toolchain';
import semver from 'semver';
import { ImmutableVersionError, PublishError } from './errors.js';
import { releaseCommit } from './git.js';
import { releaseNotes } from './versioning/release-notes.js';
import { buildArtifact, type Artifact } from './oci/artifact.js';
import { ANNOTATIONS } from './oci/media-types.js';
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
  /**
   * The provider bundle of this version, rendered for `repository` (`host/path`, where providers
   * pull the releases from): published beside the distribution when there is a registry.
   */
  readonly bundle?: (repository: string, version: string) => Promise<readonly RenderedFile[]>;
}

/** Where the provider bundle of each release goes: a repository beside the distribution's. */
export const BUNDLE_REPOSITORY = 'bundle';

/** One artifact as published: in the layout, and in the registry if there is one. */
export interface PublishedArtifact {
  /** What a signing step and an OCIRepository need. */
  readonly reference: string;
  readonly digest: string;
  readonly layout: { readonly path: string; readonly status: LayoutStatus };
  readonly registry?: PushResult & { readonly repository: string };
}

export interface PublishResult extends PublishedArtifact {
  readonly environment: EnvironmentName;
  readonly package: string;
  readonly version: string;
  readonly layerDigest: string;
  /** `<tag>@sha1:<commit>`: the release commit, as Flux's notifications read it. */
  readonly revision: string;
  /** The provider bundle published beside it (`flux pull artifact` of its reference). */
  readonly bundle?: PublishedArtifact;
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

/**
 * Writes `artifact` as `tag` into the layout at `layoutPath`, refusing to move a tag that holds
 * other content; with a registry target, pushes it from there to the target's repository.
 */
async function publishArtifact(artifact: Artifact, layoutPath: string, tag: string, target: RegistryTarget | undefined, progress: (message: string) => void): Promise<PublishedArtifact> {
  progress(`artifact ${artifact.manifest.digest} (layer ${artifact.layer.digest})`);
  const layoutStatus = await writeToLayout(layoutPath, artifact, tag).catch(async (error: unknown) => {
    if (!(error instanceof ImmutableVersionError)) throw error;
    const existing = await readFromLayout(layoutPath, tag);
    const digest = await tagDigest(layoutPath, tag);
    throw new ImmutableVersionError(`${layoutPath}:${tag} already holds ${digest}, not ${artifact.manifest.digest}: ${existing ? explainDifference(existing.manifest.data, artifact) : 'unreadable'}`);
  });
  progress(`layout ${layoutPath}:${tag} ${layoutStatus}`);
  const layout = { path: layoutPath, status: layoutStatus };
  if (!target) return { reference: `oci:${layoutPath}:${tag}`, digest: artifact.manifest.digest, layout };
  // Pushed from the layout, each blob verified on the way: what the embedded default holds is what goes out.
  const stored = await readFromLayout(layoutPath, tag);
  if (stored?.manifest.digest !== artifact.manifest.digest) throw new Error(`bug: ${layoutPath}:${tag} does not hold the artifact just written`);
  const pushed = await pushArtifact(target.client, target.repository, tag, stored, progress);
  return { reference: `${target.host}/${target.repository}:${tag}`, digest: pushed.digest, layout, registry: { ...pushed, repository: target.repository } };
}

/** The bundle's files as an artifact with the distribution's metadata (same commit, same version). */
async function bundleArtifact(files: readonly RenderedFile[], of: Artifact): Promise<Artifact> {
  const dir = await mkdtemp(join(tmpdir(), 'canaryship-bundle-'));
  try {
    for (const file of files) {
      await mkdir(dirname(join(dir, file.path)), { recursive: true });
      await writeFile(join(dir, file.path), file.content);
    }
    const a = of.annotations;
    return await buildArtifact(dir, { created: a[ANNOTATIONS.created] ?? '', source: a[ANNOTATIONS.source] ?? '', revision: a[ANNOTATIONS.revision] ?? '', version: a[ANNOTATIONS.version] ?? '' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The provider bundle of a release, rendered and checked before anything is written: one that
 * cannot be rendered, or whose version already holds another bundle (rendered for another
 * registry, signature or build of canaryship), publishes nothing at all.
 */
async function bundleOf(render: NonNullable<PublishOptions['bundle']>, release: Artifact, target: RegistryTarget, layoutPath: string, tag: string): Promise<{ artifact: Artifact; target: RegistryTarget; layoutPath: string }> {
  const artifact = await bundleArtifact(await render(`${target.host}/${target.repository}`, tag), release);
  const beside = { ...target, repository: `${target.repository}/${BUNDLE_REPOSITORY}` };
  // One layout per place it names (registry and repository): the same version for another names other bytes.
  const bundleLayout = join(layoutPath, BUNDLE_REPOSITORY, `${target.host}/${target.repository}`.replace(/[^a-zA-Z0-9.-]/g, '_'));
  const held = [
    { where: `${bundleLayout}:${tag}`, digest: await tagDigest(bundleLayout, tag) },
    { where: `${target.host}/${beside.repository}:${tag}`, digest: await target.client.manifestDigest(beside.repository, tag) },
  ];
  for (const { where, digest } of held) {
    if (digest !== undefined && digest !== artifact.manifest.digest) {
      throw new ImmutableVersionError(`${where} already holds the provider bundle ${digest}, not ${artifact.manifest.digest}: rendered for another registry, signature or build of canaryship (nothing was published)`);
    }
  }
  return { artifact, target: beside, layoutPath: bundleLayout };
}

export async function publish(options: PublishOptions): Promise<PublishResult> {
  const progress = options.onProgress ?? (() => undefined);
  const environment = await environmentOf(options.packageDir);
  const { artifact, manifest } = await withDistributionLock([join(options.packageDir, 'dist')], () => buildEnvironmentArtifact(options.packageDir, options.env));
  const tag = manifest.version;
  const target = options.registry && (await connectRegistry(options.registry, environment, { ...options, access: 'push', onProgress: (message) => progress(`${environment}: ${message}`) }));
  const layoutPath = join(options.layoutRoot, repositoryPath(environment));
  const bundled = target && options.bundle && (await bundleOf(options.bundle, artifact, target, layoutPath, tag));
  const published = await publishArtifact(artifact, layoutPath, tag, target, (message) => progress(`${environment}: ${message}`));
  const result = { environment, package: manifest.name, version: tag, layerDigest: artifact.layer.digest, revision: artifact.annotations[ANNOTATIONS.revision] ?? '', ...published };
  if (!target || !bundled) return result;
  // Pushed after the distribution: a bundle only ever names a version that is there to pull.
  const bundle = await publishArtifact(bundled.artifact, bundled.layoutPath, tag, bundled.target, (message) => progress(`${environment} bundle: ${message}`));
  return { ...result, bundle };
}
