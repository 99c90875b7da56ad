/**
 * `canaryship render [DIR]`: renders the distribution an environment package declares into DIR/dist.
 * The package's compiled entry (lib/index.js) exports `distribution`; nothing is written unless the
 * whole distribution is valid.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { composeDistribution, renderDistribution, type DistributionDefinition, type RenderedFile } from '@canaryship/blocks';
import { UsageError, type Command } from '../command.js';
import { writeTreeAtomically } from '../fs/write-tree.js';

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


async function loadDefinition(packageDir: string): Promise<DistributionDefinition> {
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
    name?: string;
    exports?: { '.': { default: string } };
  };
  const entry = manifest.exports?.['.']?.default;
  if (!entry) throw new UsageError(`${packageDir}/package.json has no exports["."].default entry to load the distribution from`);
  const module = (await import(pathToFileURL(resolve(packageDir, entry)).href)) as { distribution?: DistributionDefinition };
  if (!module.distribution) throw new UsageError(`${manifest.name ?? packageDir} (${entry}) does not export \`distribution\``);
  return module.distribution;
}

export const renderFiles = (definition: DistributionDefinition): RenderedFile[] => renderDistribution(composeDistribution(definition));

/** Validates, renders and writes one definition; throws DistributionError before writing anything. */
export async function renderTo(definition: DistributionDefinition, outDir: string): Promise<RenderedFile[]> {
  const files = renderFiles(definition);
  await writeTreeAtomically(outDir, files);
  return files;
}

export async function render(options: RenderOptions): Promise<RenderResult> {
  const packageDir = resolve(options.cwd, options.packageDir ?? '.');
  const outDir = resolve(options.cwd, options.outDir ?? join(packageDir, 'dist'));
  const definition = await loadDefinition(packageDir);
  const files = await renderTo(definition, outDir);
  return {
    environment: definition.environment,
    outDir: relative(options.cwd, outDir) || '.',
    files: files.map((file) => ({ path: file.path, sha256: createHash('sha256').update(file.content).digest('hex') })),
  };
}

export const renderCommand: Command = {
  name: 'render',
  help: `render [DIR] [--out OUT] [--json]
      Render the distribution the environment package in DIR (default: .) declares into DIR/dist
      (or OUT). Nothing is written unless every service input is valid.`,
  examples: ['canaryship render environments/istio', 'canaryship render environments/linkerd --out /tmp/linkerd --json'],
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { out: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (positionals.length > 1) throw new UsageError(`render takes one package directory, got ${positionals.join(' ')}`);
    const result = await render({ cwd: io.cwd, ...(positionals[0] && { packageDir: positionals[0] }), ...(values.out && { outDir: values.out }) });
    io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `rendered ${result.environment}: ${result.files.length} files in ${result.outDir}\n`);
    return 0;
  },
};
