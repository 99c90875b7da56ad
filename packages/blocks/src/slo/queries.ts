/**
 * PromQL for the SLOs Flagger has no builtin for, per environment, over the series that
 * environment's Prometheus holds: podinfo's own histogram (kubernetes), Istio's standard metrics,
 * Linkerd's proxy metrics. `{{ ... }}` are Flagger's template variables, filled per check.
 *
 * Numerators that can legitimately be empty (no errors yet) fall back to 0 with `or on() vector(0)`;
 * denominators never do, so a canary without traffic still fails with "no values found" instead of
 * passing on silence.
 */
import type { EnvironmentName } from '../environment.js';

/** The SLO checks a Canary runs; a MetricTemplate name where no builtin exists. */
export type SloMetric = 'success-rate' | 'error-rate' | 'average-response-time' | 'p99-response-time' | 'outbound-success-rate';

interface Series {
  /** Counter of responses, and its labels selecting the canary workload's inbound traffic. */
  readonly requests: string;
  readonly selector: string;
  /**
   * Responses that failed, as disjoint label matchers summed: a 5xx, and for Linkerd any stream
   * its proxy classifies as a failure (a reset or a refused connection carries no HTTP status).
   */
  readonly failures: readonly string[];
  /** Responses a caller sees as errors (4xx and failures), disjoint matchers summed. */
  readonly errors: readonly string[];
  /** Histogram of response times and the factor turning its unit into milliseconds. */
  readonly duration: string;
  readonly toMilliseconds: number;
}

const SERIES: Readonly<Record<EnvironmentName, Series>> = {
  // Flagger's bundled Prometheus relabels podinfo pods to kubernetes_namespace / kubernetes_pod_name;
  // the pod name pattern is the one Flagger's builtin queries use (canary pods only, not -primary).
  kubernetes: {
    requests: 'http_request_duration_seconds_count',
    selector: 'kubernetes_namespace="{{ namespace }}", kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"',
    failures: ['status=~"5.."'],
    errors: ['status=~"[45].."'],
    duration: 'http_request_duration_seconds',
    toMilliseconds: 1000,
  },
  istio: {
    requests: 'istio_requests_total',
    selector: 'reporter="destination", destination_workload_namespace="{{ namespace }}", destination_workload="{{ target }}"',
    failures: ['response_code=~"5.."'],
    errors: ['response_code=~"[45].."'],
    duration: 'istio_request_duration_milliseconds',
    toMilliseconds: 1,
  },
  linkerd: {
    requests: 'response_total',
    selector: 'namespace="{{ namespace }}", deployment="{{ target }}", direction="inbound"',
    failures: ['classification="failure"'],
    errors: ['classification="failure"', 'classification="success", status_code=~"4.."'],
    duration: 'response_latency_ms',
    toMilliseconds: 1,
  },
};

/** The calls a workload makes, where the mesh reports them: the caller's side of every request. */
const OUTBOUND: Readonly<Partial<Record<EnvironmentName, { readonly requests: string; readonly selector: (workload: string) => string; readonly failures: readonly string[] }>>> = {
  istio: {
    requests: 'istio_requests_total',
    selector: (workload) => `reporter="source", source_workload_namespace="{{ namespace }}", source_workload="${workload}"`,
    failures: ['response_code=~"5.."'],
  },
  linkerd: {
    requests: 'response_total',
    selector: (workload) => `namespace="{{ namespace }}", deployment="${workload}", direction="outbound"`,
    failures: ['classification="failure"'],
  },
};

/** Environments where the mesh measures a workload's outbound calls. */
export const measuresOutbound = (environment: EnvironmentName): boolean => OUTBOUND[environment] !== undefined;

const rate = (metric: string, selector: string): string => `sum(rate(${metric}{${selector}}[{{ interval }}]))`;

const count = (metric: string, selector: string): string => `sum(increase(${metric}{${selector}}[{{ interval }}]))`;

/**
 * How many standard errors of its own share the canary's failed calls may stray above the
 * primary's before the budget starts to count. A share over few calls moves by whole calls (and
 * with where scrapes fall): with half the calls failing for everyone, 50 calls differ by 2 points
 * for one call. The allowance is 0 when the canary's calls never fail, and shrinks as calls grow.
 */
export const OUTBOUND_STANDARD_ERRORS = 3;

const scaled = (factor: number, expression: string): string => (factor === 1 ? expression : `${factor} * ${expression}`);

const indent = (text: string): string => text.split('\n').map((line) => `  ${line}`).join('\n');

/** Percent of the responses matching any of `matchers`, 0 when none match but traffic flowed. */
const percentOf = (requests: string, selector: string, matchers: readonly string[]): string =>
  [
    `100 * (`,
    matchers.map((m) => `  (${rate(requests, `${selector}, ${m}`)} or on() vector(0))`).join('\n  +\n'),
    `)`,
    `/`,
    rate(requests, selector),
  ].join('\n');

export function sloQuery(environment: EnvironmentName, metric: SloMetric): string {
  const series = SERIES[environment];
  switch (metric) {
    case 'success-rate':
      return [`100 - (`, indent(percentOf(series.requests, series.selector, series.failures)), `)`].join('\n');
    case 'error-rate':
      return percentOf(series.requests, series.selector, series.errors);
    case 'average-response-time':
      return scaled(
        series.toMilliseconds,
        `${rate(`${series.duration}_sum`, series.selector)}\n/\n${rate(`${series.duration}_count`, series.selector)}`,
      );
    case 'p99-response-time':
      return scaled(
        series.toMilliseconds,
        `histogram_quantile(0.99, sum by (le) (rate(${series.duration}_bucket{${series.selector}}[{{ interval }}])))`,
      );
    case 'outbound-success-rate': {
      // The canary's share of failed calls against the primary's, in points: 0 when both call as well,
      // negative when the canary fails more; plus the allowance for the canary's sampling noise,
      // z·√(p(100−p)/n) for share p over n calls. Without primary calls it is compared with none failing.
      const outbound = OUTBOUND[environment];
      if (!outbound) throw new Error(`bug: no outbound series in the ${environment} environment`);
      const canary = outbound.selector('{{ target }}');
      const canaryShare = indent(percentOf(outbound.requests, canary, outbound.failures));
      return [
        `(`,
        indent(percentOf(outbound.requests, outbound.selector('{{ target }}-primary'), outbound.failures)),
        `  or on() vector(0)`,
        `)`,
        `-`,
        `(`,
        canaryShare,
        `)`,
        `+`,
        `${OUTBOUND_STANDARD_ERRORS} * sqrt(`,
        `  (`,
        indent(canaryShare),
        `  )`,
        `  * (100 - (`,
        indent(canaryShare),
        `  ))`,
        `  /`,
        `  ${count(outbound.requests, canary)}`,
        `)`,
      ].join('\n');
    }
  }
}
