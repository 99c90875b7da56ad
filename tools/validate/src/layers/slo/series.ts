/**
 * Synthetic telemetry shaped like each environment's real series, for evaluating SLO queries with
 * promtool. One scenario everywhere, per 15s: 85 responses 200, 5 responses 404, 10 failures, every
 * one taking 250 ms (on Linkerd half the failures are 500s and half are streams that failed without
 * an HTTP status, which only the proxy's classification counts). Decoy series that a correct query
 * must ignore carry only failures and 5 s latencies: the primary workload, Istio's source-side
 * reports, Linkerd's outbound traffic. The outbound scenario turns it around: the canary's calls
 * fail as above, the primary's all succeed, and its inbound series are the decoys.
 */

export type SeriesShape = 'podinfo' | 'istio' | 'linkerd';

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

const STEPS = 40;
const SCRAPE_SECONDS = 15;
const SCRAPE = `${SCRAPE_SECONDS}s`;
export const SCENARIO = { ok: 85, clientErrors: 5, serverErrors: 10, latencyMs: 250 } as const;
const RESPONSES_PER_STEP = SCENARIO.ok + SCENARIO.clientErrors + SCENARIO.serverErrors;

/** What a correct query computes on the scenario (computed here, not read from any query). */
export const EXPECTED = {
  successRatePercent: (100 * (RESPONSES_PER_STEP - SCENARIO.serverErrors)) / RESPONSES_PER_STEP,
  errorRatePercent: (100 * (SCENARIO.clientErrors + SCENARIO.serverErrors)) / RESPONSES_PER_STEP,
  /**
   * The canary's calls against the primary's, in points (the primary's never fail), plus the
   * allowance for the canary's sampling noise over the calls it made in the query's window.
   */
  outboundRelativePoints: (windowSeconds: number): number => {
    const share = (100 * SCENARIO.serverErrors) / RESPONSES_PER_STEP;
    const calls = (RESPONSES_PER_STEP * windowSeconds) / SCRAPE_SECONDS;
    // Three standard errors, written here rather than read from the query's constant: a query that drifts from it is caught.
    return 0 - share + 3 * Math.sqrt((share * (100 - share)) / calls);
  },
  averageMs: SCENARIO.latencyMs,
  // All observations sit in the (100, 250] ms bucket: histogram_quantile interpolates linearly inside it.
  p99Ms: 100 + (250 - 100) * 0.99,
} as const;

const BUCKETS_MS = [50, 100, 250, 500, 1000];

const counter = (perStep: number): string => `0+${perStep}x${STEPS}`;
const labelText = (labels: Record<string, string>): string =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;

interface Traffic {
  /** Responses per step by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly latencyMs: number;
}

/** The status `''` is a stream that failed without an HTTP status (a reset, a refused connection). */
const GOOD: Traffic = { statuses: { '200': SCENARIO.ok, '404': SCENARIO.clientErrors, '500': SCENARIO.serverErrors }, latencyMs: SCENARIO.latencyMs };
const GOOD_WITH_STREAM_FAILURES: Traffic = {
  statuses: { '200': SCENARIO.ok, '404': SCENARIO.clientErrors, '500': SCENARIO.serverErrors / 2, '': SCENARIO.serverErrors / 2 },
  latencyMs: SCENARIO.latencyMs,
};
const ALL_OK: Traffic = { statuses: { '200': RESPONSES_PER_STEP }, latencyMs: SCENARIO.latencyMs };
const DECOY: Traffic = { statuses: { '503': RESPONSES_PER_STEP }, latencyMs: 5000 };

export interface SeriesNames {
  /** Response counter; for podinfo it is the histogram's own `_count`, labelled by status. */
  readonly requests: string;
  readonly status: string;
  readonly duration: string;
  readonly unit: 'seconds' | 'milliseconds';
  /** Extra labels a provider derives from the status (Linkerd's classification). */
  readonly statusLabels?: (code: string) => Record<string, string>;
  /** The provider records streams that failed without an HTTP status (Linkerd). */
  readonly streamFailures?: boolean;
}

/** Counter and histogram series of one workload's traffic. */
function workloadSeries(traffic: Traffic, names: SeriesNames, labels: Record<string, string>): InputSeries[] {
  const scale = names.unit === 'seconds' ? 1 / 1000 : 1;
  const latency = traffic.latencyMs * scale;
  const histogram = (perStep: number, extra: Record<string, string>): InputSeries[] => [
    ...[...BUCKETS_MS.map((b) => String(b * scale)), '+Inf'].map((le) => ({
      series: `${names.duration}_bucket${labelText({ ...labels, ...extra, le })}`,
      values: counter(le === '+Inf' || Number(le) >= latency ? perStep : 0),
    })),
    { series: `${names.duration}_sum${labelText({ ...labels, ...extra })}`, values: counter(perStep * latency) },
  ];
  const statuses = Object.entries(traffic.statuses);
  if (names.requests === `${names.duration}_count`) {
    // podinfo: one histogram per status; its _count is the request counter.
    return statuses.flatMap(([code, n]) => [
      { series: `${names.requests}${labelText({ ...labels, [names.status]: code })}`, values: counter(n) },
      ...histogram(n, { [names.status]: code }),
    ]);
  }
  const total = statuses.reduce((sum, [, n]) => sum + n, 0);
  return [
    ...statuses.map(([code, n]) => ({
      series: `${names.requests}${labelText({ ...labels, ...(code === '' ? {} : { [names.status]: code }), ...(names.statusLabels?.(code) ?? {}) })}`,
      values: counter(n),
    })),
    ...histogram(total, {}),
    { series: `${names.duration}_count${labelText(labels)}`, values: counter(total) },
  ];
}

export interface SeriesShapeSpec {
  readonly names: SeriesNames;
  /**
   * Labels of one instance's series as the provider writes them for the traffic a canary serves:
   * the pod for podinfo (as Flagger's bundled Prometheus relabels it), the workload for Istio
   * (destination side) and Linkerd (inbound).
   */
  labels(namespace: string, instance: string): Record<string, string>;
  /** Labels of the calls a workload makes, where the provider reports the caller's side (Istio's source reports, Linkerd's outbound). */
  outbound?(namespace: string, workload: string): Record<string, string>;
}

/** Each provider's series: the one description the synthetic telemetry of the tests and the cluster share. */
export const SERIES_SHAPES: Readonly<Record<SeriesShape, SeriesShapeSpec>> = {
  podinfo: {
    names: { requests: 'http_request_duration_seconds_count', status: 'status', duration: 'http_request_duration_seconds', unit: 'seconds' },
    labels: (namespace, pod) => ({ kubernetes_namespace: namespace, kubernetes_pod_name: pod, method: 'GET', path: 'root' }),
  },
  istio: {
    names: { requests: 'istio_requests_total', status: 'response_code', duration: 'istio_request_duration_milliseconds', unit: 'milliseconds' },
    labels: (namespace, workload) => ({ reporter: 'destination', destination_workload: workload, destination_workload_namespace: namespace }),
    outbound: (namespace, workload) => ({ reporter: 'source', source_workload: workload, source_workload_namespace: namespace }),
  },
  linkerd: {
    names: {
      requests: 'response_total',
      status: 'status_code',
      duration: 'response_latency_ms',
      unit: 'milliseconds',
      statusLabels: (code) => ({ classification: code === '' || code.startsWith('5') ? 'failure' : 'success' }),
      streamFailures: true,
    },
    labels: (namespace, workload) => ({ direction: 'inbound', deployment: workload, namespace }),
    outbound: (namespace, workload) => ({ direction: 'outbound', deployment: workload, namespace }),
  },
};

export interface Telemetry {
  /** The canary workload's own series. */
  readonly canary: InputSeries[];
  /** Series a correct query must ignore. */
  readonly decoys: InputSeries[];
}

export type Direction = 'inbound' | 'outbound';

/** Series of canary workload `target` (Deployment name) in `namespace`, and its decoys: the traffic it serves, or the calls it makes. */
export function syntheticSeries(shape: SeriesShape, namespace: string, target: string, direction: Direction = 'inbound'): Telemetry {
  const { names, labels, outbound } = SERIES_SHAPES[shape];
  const good = names.streamFailures ? GOOD_WITH_STREAM_FAILURES : GOOD;
  const series = (traffic: Traffic, instance: string, override: Record<string, string> = {}): InputSeries[] =>
    workloadSeries(traffic === GOOD ? good : traffic, names, { ...labels(namespace, instance), ...override });
  if (direction === 'outbound') {
    if (!outbound) throw new Error(`bug: ${shape} series have no outbound side`);
    const calls = (traffic: Traffic, workload: string): InputSeries[] => workloadSeries(traffic === GOOD ? good : traffic, names, outbound(namespace, workload));
    return { canary: [...calls(GOOD, target), ...calls(ALL_OK, `${target}-primary`)], decoys: series(DECOY, target) };
  }
  switch (shape) {
    case 'podinfo':
      return { canary: series(GOOD, `${target}-7d9c8b6f5-x4k2p`), decoys: series(DECOY, `${target}-primary-5f6d7c8b9-q7w3z`) };
    case 'istio':
      return { canary: series(GOOD, target), decoys: [...series(DECOY, target, { reporter: 'source' }), ...series(DECOY, `${target}-primary`)] };
    case 'linkerd':
      return { canary: series(GOOD, target), decoys: [...series(DECOY, target, { direction: 'outbound' }), ...series(DECOY, `${target}-primary`)] };
  }
}

/** Which shape a query reads, from the metric names it uses. */
export function shapeOf(query: string): SeriesShape | undefined {
  if (/\bistio_request/.test(query)) return 'istio';
  if (/\bresponse_(total|latency_ms)/.test(query)) return 'linkerd';
  if (/\bhttp_request_duration_seconds/.test(query)) return 'podinfo';
  return undefined;
}

export const EVALUATION = { scrapeInterval: SCRAPE, evalTime: '5m' } as const;
