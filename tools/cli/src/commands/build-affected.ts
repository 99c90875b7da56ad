/**
 * `canaryship build-affected`: render only the distributions a change affects (by Nx's project
 * graph since --base), and any whose dist/ is no longer what its sources render (a revert after a
 * build, an edit built by nothing), which git's view of the change cannot see.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CanaryshipError, ENVIRONMENTS } from '@canaryship/blocks';
import { affectedEnvironments, runTargets, type AffectedEnvironment } from '@canaryship/release';
import { printJson, type Io } from '../command.js';
import { requireRenderedFromSources } from '../sources/rendered.js';

/**
 * Environments of this repository whose dist/ is stale, with why. One never rendered (a fresh
 * clone) is not stale: there is nothing of it to act on. One that cannot even be checked (its
 * build fails to load) is rendered too, so Nx's build says why.
 */
async function staleEnvironments(cwd: string): Promise<(AffectedEnvironment & { stale: string })[]> {
  const found: (AffectedEnvironment & { stale: string })[] = [];
  for (const environment of ENVIRONMENTS) {
    const dir = join('environments', environment);
    if (!existsSync(join(cwd, dir, 'dist'))) continue;
    try {
      await requireRenderedFromSources(join(cwd, dir), cwd);
    } catch (error) {
      if (!(error instanceof CanaryshipError)) throw error;
      found.push({ environment, package: `@canaryship/env-${environment}`, dist: join(dir, 'dist'), stale: error.message });
    }
  }
  return found;
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { base: { type: 'string', default: 'main' }, head: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  // With --head the question is about two commits, not about this working tree. The stale pass
  // runs while Nx works out the graph in its own process: on two cores, nearly for free.
  const [affected, staleOnes] = await Promise.all([affectedEnvironments(io.cwd, values.base, values.head), values.head === undefined ? staleEnvironments(io.cwd) : []]);
  const stale = staleOnes.filter((e) => !affected.some((a) => a.environment === e.environment));
  const environments = [...affected, ...stale].sort((a, b) => a.environment.localeCompare(b.environment));
  // The answer goes to stdout, all of it (stderr is for progress and errors).
  if (!values.json) {
    io.stdout.write(`affected: ${affected.map((e) => e.environment).join(', ') || 'none'}\n`);
    for (const e of stale) io.stdout.write(`stale: ${e.stale}\n`);
  }
  await runTargets(io.cwd, ['build'], environments.map((e) => e.package));
  if (values.json) printJson(io, { base: values.base, environments });
  else for (const e of environments) io.stdout.write(`rendered ${e.environment} (${e.package}) in ${e.dist}\n`);
  return 0;
}
