/**
 * Layer 5: every SLO query is real PromQL that computes what its name says, evaluated by promtool.
 * Syntax for every template; values on synthetic series (series.ts) for every check a Canary runs:
 * MetricTemplates by their name's meaning, builtins through the query Flagger runs for the provider.
 * A check that has no traffic must return nothing, so Flagger halts instead of passing on silence.
 */
import type { Finding } from '../../finding.js';
import type { Distribution, LoadedObject, Manifest } from '../../load.js';
import { BUILTIN_QUERIES } from './builtin-queries.js';
import { checkExpressions, runUnitTests, withScratch, type UnitTest } from './promtool.js';
import { EVALUATION, EXPECTED, shapeOf, syntheticSeries, type InputSeries } from './series.js';

/** What a template named like ours must compute on the scenario, in its threshold's unit. */
const MEANING: Readonly<Record<string, { value: number; silentWithoutTraffic: boolean }>> = {
  'success-rate': { value: EXPECTED.successRatePercent, silentWithoutTraffic: true },
  'request-success-rate': { value: EXPECTED.successRatePercent, silentWithoutTraffic: true },
  'error-rate': { value: EXPECTED.errorRatePercent, silentWithoutTraffic: true },
  'average-response-time': { value: EXPECTED.averageMs, silentWithoutTraffic: true },
  'p99-response-time': { value: EXPECTED.p99Ms, silentWithoutTraffic: true },
  'request-duration': { value: EXPECTED.p99Ms, silentWithoutTraffic: true },
};

interface Check {
  readonly from: LoadedObject;
  readonly path: string;
  readonly label: string;
  readonly query: string;
  /** Canary target whose synthetic series to evaluate on, and the expected value in the query's unit. */
  readonly evaluate?: { namespace: string; target: string; value: number; silentWithoutTraffic: boolean };
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

function unitTests(check: Check, index: number): UnitTest | undefined {
  const evaluate = check.evaluate;
  const shape = shapeOf(check.query);
  if (!evaluate || !shape) return undefined;
  const { canary, decoys } = syntheticSeries(shape, evaluate.namespace, evaluate.target);
  const test = (series: InputSeries[], exp_samples: unknown[]) => ({
    interval: EVALUATION.scrapeInterval,
    input_series: series,
    promql_expr_test: [{ expr: rounded(check.query), eval_time: EVALUATION.evalTime, exp_samples }],
  });
  const tests = [test([...canary, ...decoys], [{ labels: '{}', value: round(evaluate.value) }])];
  if (evaluate.silentWithoutTraffic) tests.push(test(decoys, []));
  return { file: `check-${index}.yaml`, tests };
}

/** Says what promtool found, per failed expectation: "returns 10, expected 15". */
function describeFailure(output: string): string {
  const value = (text: string): string => {
    if (text.trim() === 'nil') return 'nothing';
    const sample = text.replace(/^\{\}\s*/, '').trim();
    return Number.isFinite(Number(sample)) ? String(Number(sample)) : sample;
  };
  const pairs = [...output.matchAll(/exp:\s*(.*)\n\s*got:\s*(.*)/g)].map(([, exp = '', got = '']) =>
    exp.trim() === 'nil'
      ? `without canary traffic it returns ${value(got)} instead of nothing, so Flagger would pass the check on silence`
      : `on synthetic series it returns ${value(got)}, expected ${value(exp)}`,
  );
  return pairs.length > 0 ? pairs.join('; ') : output.replace(/\s+/g, ' ').slice(0, 400);
}

export async function sloQueryLayer(distribution: Distribution): Promise<Finding[]> {
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
      const rendered = renderTemplate(source, vars);
      if (rendered.unknown.length > 0) {
        report(canary, path, 'slo.template-variable', `query uses ${rendered.unknown.map((v) => `{{ ${v} }}`).join(', ')}, which Flagger does not provide here`);
        return;
      }
      const meaning = MEANING[name];
      if (!meaning) report(canary, path, 'slo.no-semantic-check', `no synthetic check for a metric named "${name}": only its syntax is checked`, 'warning');
      else if (!shapeOf(rendered.query)) report(canary, path, 'slo.unknown-series', `query reads no series this validator can synthesise (podinfo, Istio, Linkerd)`, 'warning');
      checks.push({
        from: canary,
        path,
        label: `${name} of Canary ${canary.object['metadata']?.name}`,
        query: rendered.query,
        ...(meaning && { evaluate: { namespace, target, value: meaning.value / scale, silentWithoutTraffic: meaning.silentWithoutTraffic } }),
      });
    });
  }

  await withScratch(async (dir) => {
    const syntax = await checkExpressions(dir, checks.map((c) => c.query));
    for (const [index, message] of syntax) {
      const check = checks[index];
      if (check) report(check.from, check.path, 'slo.promql-syntax', `${check.label}: ${message}`);
      else findings.push({ layer: 'slo-queries', rule: 'slo.promql-syntax', severity: 'error', distribution: distribution.name, message });
    }
    const units = checks.flatMap((check, index) => {
      if (syntax.has(index)) return [];
      const unit = unitTests(check, index);
      return unit ? [{ check, unit }] : [];
    });
    const failures = await runUnitTests(dir, units.map((u) => u.unit));
    for (const { check, unit } of units) {
      const failure = failures.get(unit.file) ?? failures.get('*');
      if (failure) report(check.from, check.path, 'slo.query-value', `${check.label} does not compute what its name says: ${describeFailure(failure)}`);
    }
  });
  return findings;
}
