/**
 * Layer 5: every SLO query is real PromQL that computes what its name says, evaluated by promtool.
 * Syntax for every template; values on synthetic series (series.ts) for every check a Canary runs:
 * MetricTemplates by their name's meaning, builtins through the query Flagger runs for the provider.
 * A check that has no traffic must return nothing, so Flagger halts instead of passing on silence.
 */
import { DURATION_PATTERN, durationSeconds, sloOfCheck, thresholdProblem } from '@canaryship/blocks';
import type { Finding } from '../../finding.js';
import type { Distribution, LoadedObject, Manifest } from '../../load.js';
import { BUILTIN_QUERIES } from './builtin-queries.js';
import { checkExpressions, runUnitTests, withScratch, type UnitTest, type UnmetExpectation } from './promtool.js';
import { EVALUATION, EXPECTED, shapeOf, syntheticSeries, type Direction, type InputSeries } from './series.js';

/**
 * What a template named like ours must compute on the scenario, in its threshold's unit, given the
 * check's window in seconds (only the outbound comparison's noise allowance depends on it).
 */
const MEANING: Readonly<Record<string, { value: (windowSeconds: number) => number; silentWithoutTraffic: boolean; direction?: Direction }>> = {
  'outbound-success-rate': { value: EXPECTED.outboundRelativePoints, silentWithoutTraffic: true, direction: 'outbound' },
  'success-rate': { value: () => EXPECTED.successRatePercent, silentWithoutTraffic: true },
  'request-success-rate': { value: () => EXPECTED.successRatePercent, silentWithoutTraffic: true },
  'error-rate': { value: () => EXPECTED.errorRatePercent, silentWithoutTraffic: true },
  'average-response-time': { value: () => EXPECTED.averageMs, silentWithoutTraffic: true },
  'p99-response-time': { value: () => EXPECTED.p99Ms, silentWithoutTraffic: true },
  'request-duration': { value: () => EXPECTED.p99Ms, silentWithoutTraffic: true },
};

interface Check {
  readonly from: LoadedObject;
  readonly path: string;
  readonly label: string;
  readonly query: string;
  /** Canary target whose synthetic series to evaluate on, and the expected value in the query's unit. */
  readonly evaluate?: { namespace: string; target: string; value: number; silentWithoutTraffic: boolean; direction: Direction };
}

/** Fills Flagger's template variables the way it does for one check. */
export function renderTemplate(query: string, vars: Record<string, string>): { query: string; unknown: string[] } {
  const unknown: string[] = [];
  const rendered = query.replace(/\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) unknown.push(name);
    return value ?? whole;
  });
  return { query: rendered, unknown };
}

/**
 * promtool compares sample values exactly, and rates of rates carry float noise (89.99999999999999):
 * both sides are rounded to thousandths, in PromQL and here, the same way.
 */
const round = (value: number): number => Math.round(value * 1000) / 1000;
const rounded = (query: string): string => `round((${query}) * 1000) / 1000`;

/**
 * The unit tests of one distribution, per direction (the traffic a workload serves, the calls it
 * makes): one group with every canary's synthetic traffic and every decoy, expecting each check's
 * value; one with the decoys alone, expecting nothing. Queries select their own target, so one group
 * serves them all, and promtool starts a few test storages, not two per check.
 */
function unitFile(checks: readonly Check[], key: string): UnitTest | undefined {
  const evaluated = checks.flatMap((check) => {
    const shape = shapeOf(check.query);
    return check.evaluate && shape ? [{ check, evaluate: check.evaluate, telemetry: syntheticSeries(shape, check.evaluate.namespace, check.evaluate.target, check.evaluate.direction) }] : [];
  });
  if (evaluated.length === 0) return undefined;
  const unique = (series: InputSeries[]): InputSeries[] => [...new Map(series.map((s) => [s.series, s])).values()];
  const group = (series: InputSeries[], expectations: { expr: string; exp_samples: unknown[] }[]) => ({
    interval: EVALUATION.scrapeInterval,
    input_series: series,
    promql_expr_test: expectations.map((e) => ({ ...e, eval_time: EVALUATION.evalTime })),
  });
  const tests = (['inbound', 'outbound'] as const).flatMap((direction) => {
    const these = evaluated.filter((e) => e.evaluate.direction === direction);
    if (these.length === 0) return [];
    const decoys = unique(these.flatMap((e) => e.telemetry.decoys));
    const silent = these.filter((e) => e.evaluate.silentWithoutTraffic);
    return [
      group(unique([...these.flatMap((e) => e.telemetry.canary), ...decoys]), these.map((e) => ({ expr: rounded(e.check.query), exp_samples: [{ labels: '{}', value: round(e.evaluate.value) }] }))),
      ...(silent.length > 0 ? [group(decoys, silent.map((e) => ({ expr: rounded(e.check.query), exp_samples: [] })))] : []),
    ];
  });
  return { file: `checks-${key}.yaml`, tests };
}

/** Says what promtool found for one unmet expectation: "returns 10, expected 15". */
function describeFailure({ exp, got }: UnmetExpectation): string {
  const value = (text: string): string => {
    if (text.trim() === 'nil') return 'nothing';
    const sample = text.replace(/^\{\}\s*/, '').trim();
    return Number.isFinite(Number(sample)) ? String(Number(sample)) : sample;
  };
  if (!exp && !got) return 'promtool could not evaluate it';
  return exp === 'nil'
    ? `without canary traffic it returns ${value(got)} instead of nothing, so Flagger would pass the check on silence`
    : `on synthetic series it returns ${value(got)}, expected ${value(exp)}`;
}

/** The checks one distribution needs promtool for, and what was found without it. */
interface Plan {
  readonly distribution: Distribution;
  readonly checks: readonly Check[];
  readonly findings: Finding[];
}

function plan(distribution: Distribution): Plan {
  const findings: Finding[] = [];
  const report = (from: LoadedObject, path: string, rule: string, message: string, severity: Finding['severity'] = 'error'): void => {
    findings.push({ layer: 'slo-queries', rule, severity, distribution: distribution.name, file: from.file, object: from.id, path, message });
  };
  const templates = distribution.objects.filter((o) => o.object['kind'] === 'MetricTemplate');
  const checks: Check[] = [];

  // Every template, rendered with placeholder values: syntax only.
  for (const template of templates) {
    const { query } = renderTemplate(String(template.object['spec']?.query ?? ''), { name: 'x', namespace: 'x', target: 'x', service: 'x', ingress: 'x', interval: '1m' });
    checks.push({ from: template, path: 'spec.query', label: `MetricTemplate ${template.object['metadata']?.name}`, query });
  }

  for (const canary of distribution.objects.filter((o) => o.object['kind'] === 'Canary')) {
    const spec = canary.object['spec'] ?? {};
    const namespace = String(canary.object['metadata']?.namespace);
    const target = String(spec.targetRef?.name);
    ((spec.analysis?.metrics ?? []) as Manifest[]).forEach((metric, i) => {
      const path = `spec.analysis.metrics[${i}]`;
      const vars = {
        name: String(canary.object['metadata']?.name),
        namespace,
        target,
        service: String(spec.service?.name ?? target),
        ingress: String(spec.ingressRef?.name ?? ''),
        interval: String(metric['interval'] ?? '1m'),
        ...Object.fromEntries(Object.entries((metric['templateVariables'] ?? {}) as Record<string, string>).map(([k, v]) => [`variables.${k}`, v])),
      };
      let source: string;
      let name: string;
      let scale = 1;
      if (metric['templateRef']) {
        const template = templates.find((t) => t.object['metadata']?.name === metric['templateRef'].name);
        if (!template) return; // a dangling templateRef is the references layer's finding
        source = String(template.object['spec']?.query ?? '');
        name = String(metric['templateRef'].name);
      } else {
        const builtin = BUILTIN_QUERIES[String(spec.provider ?? 'kubernetes')]?.[String(metric['name'])];
        if (!builtin) {
          report(canary, `${path}.name`, 'slo.builtin-unknown', `no builtin "${metric['name']}" for provider ${spec.provider}`);
          return;
        }
        source = builtin.query;
        name = String(metric['name']);
        scale = builtin.toThresholdUnit;
      }
      const slo = sloOfCheck(name);
      const useless = slo && thresholdProblem(slo, (metric['thresholdRange'] ?? {}) as { min?: number; max?: number });
      if (useless) report(canary, `${path}.thresholdRange`, 'slo.threshold-useless', `${name}: ${useless}`);
      const rendered = renderTemplate(source, vars);
      if (rendered.unknown.length > 0) {
        report(canary, path, 'slo.template-variable', `query uses ${rendered.unknown.map((v) => `{{ ${v} }}`).join(', ')}, which Flagger does not provide here`);
        return;
      }
      const meaning = MEANING[name];
      // A malformed interval is the schema layer's finding: here the query's syntax is still checked.
      const windowSeconds = DURATION_PATTERN.test(vars.interval) ? durationSeconds(vars.interval) : undefined;
      if (!meaning) report(canary, path, 'slo.no-semantic-check', `no synthetic check for a metric named "${name}": only its syntax is checked`, 'warning');
      else if (!shapeOf(rendered.query)) report(canary, path, 'slo.unknown-series', `query reads no series this validator can synthesise (podinfo, Istio, Linkerd)`, 'warning');
      checks.push({
        from: canary,
        path,
        label: `${name} of Canary ${canary.object['metadata']?.name}`,
        query: rendered.query,
        ...(meaning &&
          windowSeconds !== undefined && {
            evaluate: { namespace, target, value: meaning.value(windowSeconds) / scale, silentWithoutTraffic: meaning.silentWithoutTraffic, direction: meaning.direction ?? 'inbound' },
          }),
      });
    });
  }
  return { distribution, checks, findings };
}

/**
 * Layer 5 for any number of distributions: every query goes through one `promtool check rules` and
 * every evaluation through one `promtool test rules`, so the cost of starting promtool is paid twice
 * whatever the count.
 */
export async function sloQueryLayers(distributions: readonly Distribution[]): Promise<Finding[][]> {
  const plans = distributions.map(plan);
  const all = plans.flatMap((p) => p.checks.map((check) => ({ plan: p, check })));
  await withScratch(async (dir) => {
    const syntax = await checkExpressions(dir, all.map((a) => a.check.query));
    for (const [index, message] of syntax) {
      const entry = all[index];
      if (entry) entry.plan.findings.push(finding(entry.plan.distribution, entry.check, 'slo.promql-syntax', `${entry.check.label}: ${message}`));
      else for (const p of plans) p.findings.push({ layer: 'slo-queries', rule: 'slo.promql-syntax', severity: 'error', distribution: p.distribution.name, message });
    }
    // Only queries that parse are evaluated.
    const parsed = all.filter((_, index) => !syntax.has(index));
    const units = plans.flatMap((p, d) => {
      const unit = unitFile(parsed.filter((a) => a.plan === p).map((a) => a.check), `d${d}`);
      return unit ? [unit] : [];
    });
    const unmet = await runUnitTests(dir, units);
    for (const { plan: p, check } of parsed) {
      if (!check.evaluate || !shapeOf(check.query)) continue;
      const failures = unmet.filter((u) => u.expr === rounded(check.query) || u.expr === '');
      if (failures.length > 0) {
        p.findings.push(finding(p.distribution, check, 'slo.query-value', `${check.label} does not compute what its name says: ${failures.map(describeFailure).join('; ')}`));
      }
    }
  });
  return plans.map((p) => p.findings);
}

const finding = (distribution: Distribution, check: Check, rule: string, message: string): Finding => ({
  layer: 'slo-queries',
  rule,
  severity: 'error',
  distribution: distribution.name,
  file: check.from.file,
  object: check.from.id,
  path: check.path,
  message,
});

export const sloQueryLayer = async (distribution: Distribution): Promise<Finding[]> => (await sloQueryLayers([distribution]))[0] ?? [];
