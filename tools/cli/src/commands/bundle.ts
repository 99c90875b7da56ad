/**
 * `canaryship bundle DIR --registry R`: renders the provider bundle of the environment package in
 * DIR into DIR/provider (or OUT): the Flux objects a provider applies once to follow the
 * environment's releases from R, and one kustomize Component per customisation example under customise/.
 */
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderProviderBundle, type ReleaseSignature, type RenderedFile } from '@canaryship/blocks';
import { parseRegistryAddress, repositoryPath } from '@canaryship/release';
import { printJson, UsageError, type Io } from '../command.js';
import { packageDir } from '../dirs.js';
import { writeTreeAtomically } from '../fs/write-tree.js';
import { loadEnvironmentPackage } from './render.js';

export interface BundleOptions {
  readonly cwd: string;
  readonly packageDir: string;
  readonly registry: string;
  readonly insecure?: boolean;
  /** Defaults to the package's version. */
  readonly version?: string;
  readonly outDir?: string;
  /** Require releases signed by this GitHub workflow (keyless), or by the key in this Secret. */
  readonly verify?: ReleaseSignature;
}

/** The options that say which signature a bundle's Flux requires of releases. */
export const SIGNATURE_OPTIONS = {
  'signed-by': { type: 'string' },
  'signed-by-key': { type: 'string' },
} as const;

/** The signature `--signed-by` (keyless, a workflow) or `--signed-by-key` (a Secret) requires, if any. */
export function signatureOf(values: { readonly 'signed-by'?: string | undefined; readonly 'signed-by-key'?: string | undefined }, command: string): ReleaseSignature | undefined {
  if (values['signed-by'] !== undefined && values['signed-by-key'] !== undefined) throw new UsageError(`${command} takes --signed-by (keyless, a workflow) or --signed-by-key (a Secret with the public key), not both`);
  if (values['signed-by'] !== undefined) return { workflow: values['signed-by'] };
  return values['signed-by-key'] !== undefined ? { publicKeySecret: values['signed-by-key'] } : undefined;
}

/**
 * Renders the bundle of the environment package in `packageDir` for a repository and version:
 * what `bundle` writes, and what publish and release put beside each release.
 */
export function bundleRenderer(cwd: string, packageDir: string, settings: { readonly insecure: boolean; readonly verify?: ReleaseSignature | undefined }): (repository: string, version: string) => Promise<RenderedFile[]> {
  return async (repository, version) => {
    const { definition } = await loadEnvironmentPackage(packageDir, cwd);
    return renderProviderBundle(definition, { repository, version, insecure: settings.insecure, ...(settings.verify && { verify: settings.verify }) }, definition.entry.upstream);
  };
}

export async function bundle(options: BundleOptions): Promise<{ environment: string; outDir: string; repository: string; files: string[] }> {
  const packageDir = resolve(options.cwd, options.packageDir);
  const outDir = resolve(options.cwd, options.outDir ?? join(packageDir, 'provider'));
  const address = parseRegistryAddress(options.registry, { insecure: options.insecure ?? false });
  const { definition, version: packageVersion } = await loadEnvironmentPackage(packageDir, options.cwd);
  const repository = `${address.host}/${repositoryPath(definition.environment, address.prefix)}`;
  const version = options.version ?? packageVersion;
  if (version === undefined) throw new UsageError(`${options.packageDir}/package.json has no version: give --version`);
  const files = await bundleRenderer(options.cwd, packageDir, { insecure: address.insecure, verify: options.verify })(repository, version);
  await writeTreeAtomically(outDir, files);
  // --json names the folder absolutely, as tools want it; the line for people names it from where they are.
  return { environment: definition.environment, outDir, repository, files: files.map((f) => f.path) };
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      registry: { type: 'string' },
      insecure: { type: 'boolean', default: false },
      version: { type: 'string' },
      out: { type: 'string' },
      ...SIGNATURE_OPTIONS,
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('bundle takes one environment package directory');
  if (!values.registry) throw new UsageError('bundle needs --registry: where providers pull the releases from');
  const verify = signatureOf(values, 'bundle');
  const result = await bundle({
    cwd: io.cwd,
    packageDir: packageDir(io.cwd, positionals[0]!),
    registry: values.registry,
    insecure: values.insecure,
    ...(values.version && { version: values.version }),
    ...(verify && { verify }),
    ...(values.out && { outDir: values.out }),
  });
  if (values.json) printJson(io, result);
  else io.stdout.write(`provider bundle for ${result.environment} (oci://${result.repository}): ${result.files.length} files in ${relative(io.cwd, result.outDir) || '.'}\n`);
  return 0;
}
