/**
 * `canaryship summary`: a pull request's review of what providers will receive, as GitHub Markdown
 * for `$GITHUB_STEP_SUMMARY` (or JSON): per environment the change affects (Nx, since --base) or
 * named as DIR, the object-level diff against the last published version, the contract verdict and
 * the changeset bump it needs, the validation findings, and the plan of every changed Canary.
 * Refuses a dist/ older than its sources: run build-affected first.
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { affectedEnvironments } from '@canaryship/release';
import { printJson, progressTo, UsageError, type Io } from '../command.js';
import { summaryMarkdown } from '../summary/markdown.js';
import { reviewEnvironment } from '../summary/review.js';
import { currentPackage } from '../sources/rendered.js';
import { REGISTRY_OPTIONS, registryTarget } from './registry-options.js';

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { ...REGISTRY_OPTIONS, base: { type: 'string' } } });
  if ((values.base === undefined) === (positionals.length === 0)) throw new UsageError('summary needs --base REF (the environments Nx finds affected) or environment package directories, not both');
  const progress = progressTo(io);
  const named = values.base !== undefined ? (await affectedEnvironments(io.cwd, values.base)).map((e) => dirname(e.dist)) : positionals;
  const packageDirs: string[] = [];
  for (const dir of named) packageDirs.push(await currentPackage(io.cwd, dir));
  const target = { layoutRoot: resolve(io.cwd, values.layout), ...registryTarget(values), onProgress: progress };
  const reviews = [];
  for (const packageDir of packageDirs) {
    progress(`reviewing ${packageDir}`);
    reviews.push(await reviewEnvironment(packageDir, target));
  }
  if (values.json) printJson(io, { ...(values.base !== undefined && { base: values.base }), environments: reviews });
  else io.stdout.write(summaryMarkdown(reviews, values.base));
  // A summary is information; the checks that fail a pull request are release --check and validate.
  return 0;
}
