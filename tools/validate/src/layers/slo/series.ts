/**
 * Synthetic telemetry shaped like each environment's real series, for evaluating SLO queries with
 * promtool. One scenario everywhere, per 15s: 85 responses 200, 5 responses 404, 10 responses 500,
 * every one taking 250 ms. Decoy series that a correct query must ignore carry only failures and
 * 5 s latencies: the primary workload, Istio's source-side reports, Linkerd's outbound traffic.
 */
export type SeriesShape = 'podinfo' | 'istio' | 'linkerd';

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

const STEPS = 40;
const SCRAPE = '15s';
export const SCENARIO = { ok: 85, clientErrors: 5, serverErrors: 10, latencyMs: 250 } as const;
const RESPONSES_PER_STEP = SCENARIO.ok + SCENARIO.clientErrors + SCENARIO.serverErrors;

/** What a correct query computes on the scenario (computed here, not read from any query). */
export const EXPECTED = {
  successRatePercent: (100 * (RESPONSES_PER_STEP - SCENARIO.serverErrors)) / RESPONSES_PER_STEP,
  errorRatePercent: (100 * (SCENARIO.clientErrors + SCENARIO.serverErrors)) / RESPONSES_PER_STEP,
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

const GOOD: Traffic = { statuses: { '200': SCENARIO.ok, '404': SCENARIO.clientErrors, '500': SCENARIO.serverErrors }, latencyMs: SCENARIO.latencyMs };
const DECOY: Traffic = { statuses: { '503': RESPONSES_PER_STEP }, latencyMs: 5000 };

interface SeriesNames {
  /** Response counter; for podinfo it is the histogram's own `_count`, labelled by status. */
  readonly requests: string;
  readonly status: string;
  readonly duration: string;
  readonly unit: 'seconds' | 'milliseconds';
  /** Extra labels a provider derives from the status (Linkerd's classification). */
  readonly statusLabels?: (code: string) => Record<string, string>;
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
      series: `${names.requests}${labelText({ ...labels, [names.status]: code, ...(names.statusLabels?.(code) ?? {}) })}`,
      values: counter(n),
    })),
    ...histogram(total, {}),
    { series: `${names.duration}_count${labelText(labels)}`, values: counter(total) },
  ];
}

const PODINFO_NAMES: SeriesNames = { requests: 'http_request_duration_seconds_count', status: 'status', duration: 'http_request_duration_seconds', unit: 'seconds' };
const ISTIO_NAMES: SeriesNames = { requests: 'istio_requests_total', status: 'response_code', duration: 'istio_request_duration_milliseconds', unit: 'milliseconds' };
const LINKERD_NAMES: SeriesNames = {
  requests: 'response_total',
  status: 'status_code',
  duration: 'response_latency_ms',
  unit: 'milliseconds',
  statusLabels: (code) => ({ classification: code.startsWith('5') ? 'failure' : 'success' }),
};

export interface Telemetry {
  /** The canary workload's own series. */
  readonly canary: InputSeries[];
  /** Series a correct query must ignore. */
  readonly decoys: InputSeries[];
}

/** Series of canary workload `target` (Deployment name) in `namespace`, and its decoys. */
export function syntheticSeries(shape: SeriesShape, namespace: string, target: string): Telemetry {
  switch (shape) {
    case 'podinfo': {
      // Flagger's bundled Prometheus relabels scraped pods to kubernetes_namespace / kubernetes_pod_name.
      const pod = (name: string): Record<string, string> => ({ kubernetes_namespace: namespace, kubernetes_pod_name: name, method: 'GET', path: 'root' });
      return {
        canary: workloadSeries(GOOD, PODINFO_NAMES, pod(`${target}-7d9c8b6f5-x4k2p`)),
        decoys: workloadSeries(DECOY, PODINFO_NAMES, pod(`${target}-primary-5f6d7c8b9-q7w3z`)),
      };
    }
    case 'istio': {
      const labels = (reporter: string, workload: string): Record<string, string> => ({
        reporter,
        destination_workload: workload,
        destination_workload_namespace: namespace,
      });
      return {
        canary: workloadSeries(GOOD, ISTIO_NAMES, labels('destination', target)),
        decoys: [...workloadSeries(DECOY, ISTIO_NAMES, labels('source', target)), ...workloadSeries(DECOY, ISTIO_NAMES, labels('destination', `${target}-primary`))],
      };
    }
    case 'linkerd': {
      const labels = (direction: string, deployment: string): Record<string, string> => ({ direction, deployment, namespace });
      return {
        canary: workloadSeries(GOOD, LINKERD_NAMES, labels('inbound', target)),
        decoys: [...workloadSeries(DECOY, LINKERD_NAMES, labels('outbound', target)), ...workloadSeries(DECOY, LINKERD_NAMES, labels('inbound', `${target}-primary`))],
      };
    }
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
