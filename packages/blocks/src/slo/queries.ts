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
export type SloMetric = 'success-rate' | 'error-rate' | 'average-response-time' | 'p99-response-time';

interface Series {
  /** Counter of responses, and its labels selecting the canary workload. */
  readonly requests: string;
  readonly selector: string;
  /** Label holding the HTTP status code. */
  readonly status: string;
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
    status: 'status',
    duration: 'http_request_duration_seconds',
    toMilliseconds: 1000,
  },
  istio: {
    requests: 'istio_requests_total',
    selector: 'reporter="destination", destination_workload_namespace="{{ namespace }}", destination_workload="{{ target }}"',
    status: 'response_code',
    duration: 'istio_request_duration_milliseconds',
    toMilliseconds: 1,
  },
  linkerd: {
    requests: 'response_total',
    selector: 'namespace="{{ namespace }}", deployment="{{ target }}", direction="inbound"',
    status: 'status_code',
    duration: 'response_latency_ms',
    toMilliseconds: 1,
  },
};

const rate = (metric: string, selector: string): string => `sum(rate(${metric}{${selector}}[{{ interval }}]))`;

const scaled = (factor: number, expression: string): string => (factor === 1 ? expression : `${factor} * ${expression}`);

/** Percent of responses with the given status pattern, 0 when none match but traffic flowed. */
const statusPercent = (series: Series, statusPattern: string): string =>
  [
    `100 * (`,
    `  ${rate(series.requests, `${series.selector}, ${series.status}=~"${statusPattern}"`)}`,
    `  or on() vector(0)`,
    `)`,
    `/`,
    `${rate(series.requests, series.selector)}`,
  ].join('\n');

export function sloQuery(environment: EnvironmentName, metric: SloMetric): string {
  const series = SERIES[environment];
  switch (metric) {
    case 'success-rate':
      return [
        `100 - (`,
        ...statusPercent(series, '5..').split('\n').map((line) => `  ${line}`),
        `)`,
      ].join('\n');
    case 'error-rate':
      return statusPercent(series, '[45]..');
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
  }
}
