/**
 * The queries behind Flagger's builtin metrics (Flagger 1.44, pkg/metrics/observers), restated as
 * the series and label matchers each one selects. Used to check that the series our workloads produce
 * are the ones a builtin check reads. Durations: podinfo's histogram is in seconds, Istio's in ms;
 * Flagger converts both to milliseconds before comparing with `thresholdRange`.
 */
export interface BuiltinQuery {
  readonly query: string;
  /** Factor from the query's result to the unit the threshold uses. */
  readonly toThresholdUnit: number;
}

const podinfoSelector = 'kubernetes_namespace="{{ namespace }}", kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"';
const istioSelector = 'reporter="destination", destination_workload_namespace="{{ namespace }}", destination_workload=~"{{ target }}"';

const successRate = (metric: string, selector: string, status: string): string =>
  `sum(rate(${metric}{${selector}, ${status}!~"5.*"}[{{ interval }}])) / sum(rate(${metric}{${selector}}[{{ interval }}])) * 100`;
const p99 = (bucket: string, selector: string): string => `histogram_quantile(0.99, sum(rate(${bucket}{${selector}}[{{ interval }}])) by (le))`;

const PODINFO = {
  'request-success-rate': { query: successRate('http_request_duration_seconds_count', podinfoSelector, 'status'), toThresholdUnit: 1 },
  'request-duration': { query: p99('http_request_duration_seconds_bucket', podinfoSelector), toThresholdUnit: 1000 },
};

export const BUILTIN_QUERIES: Readonly<Record<string, Readonly<Record<string, BuiltinQuery>>>> = {
  kubernetes: PODINFO,
  'gatewayapi:v1beta1': PODINFO,
  'gatewayapi:v1': PODINFO,
  istio: {
    'request-success-rate': { query: successRate('istio_requests_total', istioSelector, 'response_code'), toThresholdUnit: 1 },
    'request-duration': { query: p99('istio_request_duration_milliseconds_bucket', istioSelector), toThresholdUnit: 1 },
  },
};
