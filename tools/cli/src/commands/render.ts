/**
 * `canaryship render [DIR]`: renders the distribution an environment package declares into DIR/dist.
 * The package's built entry (lib/index.js) exports `distribution`; nothing is written unless the
 * whole distribution is valid, and only an earlier render is ever replaced.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CanaryshipError, composeDistribution, renderDistribution, type DistributionDefinition, type RenderedFile } from '@canaryship/blocks';
import { printJson, UsageError, type Io } from '../command.js';
import { packageDir as packageDirOf } from '../dirs.js';
import { writeTreeAtomically } from '../fs/write-tree.js';
import { requireBuiltFromSources } from '../sources/built.js';
import { renderInputsDigest, writeReceipt } from '../sources/receipt.js';

export interface RenderOptions {
  readonly cwd: string;
  /** Environment package directory; defaults to cwd. */
  readonly packageDir?: string;
  /** Output directory; defaults to `<packageDir>/dist`. */
  readonly outDir?: string;
}

export interface RenderResult {
  readonly environment: string;
  readonly outDir: string;
  readonly files: readonly { path: string; sha256: string }[];
}

const notAPackage = (packageDir: string, why: string): CanaryshipError =>
  new CanaryshipError(`${packageDir} is not an environment package: ${why}`, { code: 'render.not-a-package', hint: 'point render at environments/<name> (or run it there)' });

/**
 * An environment package: the distribution it declares, and its version. Refuses a package whose
 * build is older than its sources (paths in the refusal are relative to `shownFrom`).
 */
export async function loadEnvironmentPackage(packageDir: string, shownFrom: string): Promise<{ definition: DistributionDefinition; version: string | undefined }> {
  const text = await readFile(join(packageDir, 'package.json'), 'utf8').catch(() => {
    throw notAPackage(packageDir, 'it has no package.json');
  });
  let manifest: { name?: string; version?: unknown; exports?: { '.'?: { default?: string } } };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch (error) {
    throw notAPackage(packageDir, `its package.json is not JSON (${(error as Error).message})`);
  }
  const entry = manifest?.exports?.['.']?.default;
  if (typeof entry !== 'string') throw notAPackage(packageDir, 'its package.json has no exports["."].default entry to load the distribution from');
  const entryPath = resolve(packageDir, entry);
  if (relative(packageDir, entryPath).startsWith('..')) throw notAPackage(packageDir, `its entry ${entry} is outside the package`);
  const name = manifest.name ?? packageDir;
  await requireBuiltFromSources(packageDir, shownFrom);
  let module: { distribution?: DistributionDefinition };
  try {
    module = (await import(pathToFileURL(entryPath).href)) as typeof module;
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(entryPath);
    throw new CanaryshipError(missing ? `${name}: ${entry} does not exist` : `${name}: loading ${entry} failed: ${(error as Error).message}`, {
      code: 'render.entry-failed',
      hint: missing ? 'build the package first (npm run build)' : 'fix the package source and rebuild it',
    });
  }
  if (!module.distribution || typeof module.distribution !== 'object') throw notAPackage(packageDir, `${name} (${entry}) does not export \`distribution\``);
  return { definition: module.distribution, version: typeof manifest.version === 'string' ? manifest.version : undefined };
}

export const renderFiles = (definition: DistributionDefinition): RenderedFile[] => renderDistribution(composeDistribution(definition));

/** Validates, renders and writes one definition; throws DistributionError before writing anything. */
export async function renderTo(definition: DistributionDefinition, outDir: string, afterSwap?: () => void): Promise<RenderedFile[]> {
  const files = renderFiles(definition);
  await writeTreeAtomically(outDir, files, afterSwap);
  return files;
}

export async function render(options: RenderOptions): Promise<RenderResult> {
  const packageDir = resolve(options.cwd, options.packageDir ?? '.');
  const outDir = resolve(options.cwd, options.outDir ?? join(packageDir, 'dist'));
  // The package's own dist/ gets a receipt (sources/receipt.ts), its inputs read before the package is loaded.
  const inputs = outDir === join(packageDir, 'dist') ? renderInputsDigest(packageDir) : undefined;
  const { definition } = await loadEnvironmentPackage(packageDir, options.cwd);
  const files = await renderTo(definition, outDir, inputs ? () => writeReceipt(packageDir, inputs, outDir) : undefined);
  return {
    environment: definition.environment,
    outDir: relative(options.cwd, outDir) || '.',
    files: files.map((file) => ({ path: file.path, sha256: createHash('sha256').update(file.content).digest('hex') })),
  };
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { out: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (positionals.length > 1) throw new UsageError(`render takes one package directory, got ${positionals.join(' ')}`);
  const result = await render({ cwd: io.cwd, ...(positionals[0] && { packageDir: packageDirOf(io.cwd, positionals[0]) }), ...(values.out && { outDir: values.out }) });
  if (values.json) printJson(io, result);
  else io.stdout.write(`rendered ${result.environment}: ${result.files.length} files in ${result.outDir}\n`);
  return 0;
}
