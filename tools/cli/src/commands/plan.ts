/**
 * `canaryship plan DIR`: what each Canary of a distribution, or of a provider's kustomize overlay
 * of one, will do on a release: when a good one is promoted, how soon a bad one is rolled back,
 * and who sees the new version on the way. A table, `--json`, and with `--svg OUT` a chart per
 * Canary. Built with the pinned kustomize, so a provider's patches count as Flux would apply them.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CanaryshipError, planCanary, planChart, type CanaryManifest, type CanaryPlan } from '@canaryship/blocks';
import { kustomizeBuild } from '@canaryship/validate';
import { printJson, UsageError, type Io } from '../command.js';
import { currentDistribution } from '../sources/rendered.js';

/** A Canary's name as a file name: Kubernetes' DNS label rules, so nothing in it can leave OUT. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export async function plan(dir: string): Promise<CanaryPlan[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a directory: give a distribution (environments/<env>/dist) or a kustomize overlay of one`);
  const objects = await kustomizeBuild(dir).catch((error: Error) => {
    throw new CanaryshipError(`${dir} does not build with kustomize: ${error.message.split('\n').at(-1)}`, { code: 'plan.unbuildable', cause: error });
  });
  const canaries = objects.filter((o) => o['kind'] === 'Canary' && String(o['apiVersion'] ?? '').startsWith('flagger.app/'));
  if (canaries.length === 0) throw new CanaryshipError(`${dir} holds no Flagger Canary: nothing to plan`, { code: 'plan.no-canaries' });
  return canaries.map((c) => planCanary(c as CanaryManifest)).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** One plan as the cells of a table row, by column: the table here and the pull request's summary both read them. */
export const planCells = (p: CanaryPlan) =>
  ({
    canary: `${p.namespace}/${p.name}`,
    strategy: p.strategy,
    interval: `${p.intervalSeconds}s`,
    'promoted after': `${p.promotion.low}–${p.promotion.high}s`,
    'rolled back': `${p.rollback.afterFirstFailure}s after a first failed check`,
    'users exposed': `${p.exposure.maxShare}%`,
    who: p.exposure.who,
  }) as const;

export type PlanColumn = keyof ReturnType<typeof planCells>;

export function formatPlans(plans: readonly CanaryPlan[]): string {
  const rows = plans.map((p) => Object.values(planCells(p)));
  const header = Object.keys(planCells(plans[0]!));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { svg: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new UsageError('plan takes one directory: a distribution or a kustomize overlay of one');
  const plans = await plan(await currentDistribution(io.cwd, positionals[0]!));
  const charts: string[] = [];
  if (values.svg !== undefined) {
    const out = resolve(io.cwd, values.svg);
    // Every file name is checked before the first is written.
    for (const p of plans) {
      if (!DNS_LABEL.test(p.name) || !DNS_LABEL.test(p.namespace)) throw new CanaryshipError(`object Canary/${p.name} in namespace ${p.namespace}: not a Kubernetes name, so no chart file is named after it`, { code: 'plan.invalid-name' });
    }
    await mkdir(out, { recursive: true });
    for (const p of plans) {
      const file = join(out, `${p.namespace}.${p.name}.svg`);
      await writeFile(file, planChart(p));
      charts.push(file);
    }
  }
  if (values.json) printJson(io, { plans, charts });
  else {
    io.stdout.write(formatPlans(plans));
    for (const file of charts) io.stdout.write(`chart: ${file}\n`);
  }
  return 0;
}
