/**
 * Synthetic telemetry, shaped like each provider's real series, for Prometheus to scrape: Istio's
 * standard metrics, Linkerd's proxy metrics, or podinfo's own histogram as Flagger's bundled
 * Prometheus relabels it. It stands in for workloads kwok cannot run; everything that reads it
 * (Prometheus, Flagger's builtin queries, our MetricTemplates) is real.
 *
 * A canary gets traffic only while a load test (the fake `hey`) runs against it; its responses follow
 * the behaviour the scenario set for it. Primaries always get good traffic.
 */
import { createServer, type Server } from 'node:http';
import { freePort } from './ports.js';

export type Shape = 'podinfo' | 'istio' | 'linkerd';
/**
 * good: all 200 in 8 ms, well inside every service's SLO (cache allows 20 ms on average);
 * errors: 30% 500; client-errors: 20% 400 (availability intact); slow: 900 ms.
 */
export type Behaviour = 'good' | 'errors' | 'client-errors' | 'slow';

const PROFILES: Record<Behaviour, { statuses: Record<string, number>; latencyMs: number }> = {
  good: { statuses: { '200': 1 }, latencyMs: 8 },
  errors: { statuses: { '200': 0.7, '500': 0.3 }, latencyMs: 8 },
  'client-errors': { statuses: { '200': 0.8, '400': 0.2 }, latencyMs: 8 },
  slow: { statuses: { '200': 1 }, latencyMs: 900 },
};
const REQUESTS_PER_SECOND = 20;
const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

interface Counters {
  byStatus: Map<string, number>;
  buckets: number[];
  count: number;
  sumMs: number;
}

export interface LoadEvent {
  readonly at: number;
  readonly namespace: string;
  readonly service: string;
  readonly durationSeconds: number;
  readonly headers: readonly string[];
}

export interface Telemetry {
  /** `127.0.0.1:<port>`, scraped at /metrics; the fake hey posts to /load. */
  readonly address: string;
  readonly loads: LoadEvent[];
  setShape(shape: Shape): void;
  setBehaviour(namespace: string, service: string, behaviour: Behaviour): void;
  /** Pod names per workload (`backend`, `backend-primary`), for podinfo-shaped series. */
  setPods(namespace: string, pods: Readonly<Record<string, readonly string[]>>): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startTelemetry(): Promise<Telemetry> {
  let shape: Shape = 'podinfo';
  const behaviours = new Map<string, Behaviour>();
  const loadUntil = new Map<string, number>();
  const counters = new Map<string, Counters>();
  const pods = new Map<string, readonly string[]>();
  const loads: LoadEvent[] = [];
  const key = (namespace: string, workload: string): string => `${namespace}/${workload}`;

  const add = (namespace: string, workload: string, behaviour: Behaviour, seconds: number): void => {
    const k = key(namespace, workload);
    const c = counters.get(k) ?? { byStatus: new Map(), buckets: BUCKETS_MS.map(() => 0), count: 0, sumMs: 0 };
    const profile = PROFILES[behaviour];
    const n = REQUESTS_PER_SECOND * seconds;
    for (const [status, share] of Object.entries(profile.statuses)) c.byStatus.set(status, (c.byStatus.get(status) ?? 0) + n * share);
    BUCKETS_MS.forEach((le, i) => (c.buckets[i] = (c.buckets[i] ?? 0) + (profile.latencyMs <= le ? n : 0)));
    c.count += n;
    c.sumMs += n * profile.latencyMs;
    counters.set(k, c);
  };

  let last = Date.now();
  const tick = setInterval(() => {
    const now = Date.now();
    const seconds = (now - last) / 1000;
    last = now;
    for (const [k, until] of loadUntil) {
      const [namespace = '', service = ''] = k.split('/');
      add(namespace, `${service}-primary`, 'good', seconds);
      if (until > now) add(namespace, service, behaviours.get(k) ?? 'good', seconds);
    }
  }, 200);

  const labels = (o: Record<string, string>): string => `{${Object.entries(o).map(([k, v]) => `${k}="${v}"`).join(',')}}`;

  function render(): string {
    const lines: string[] = [];
    for (const [k, c] of counters) {
      const [namespace = '', workload = ''] = k.split('/');
      if (shape === 'istio') {
        const base = { reporter: 'destination', destination_workload: workload, destination_workload_namespace: namespace };
        for (const [status, n] of c.byStatus) lines.push(`istio_requests_total${labels({ ...base, response_code: status })} ${n}`);
        histogram('istio_request_duration_milliseconds', base, c, 1);
      } else if (shape === 'linkerd') {
        const base = { direction: 'inbound', deployment: workload, namespace };
        for (const [status, n] of c.byStatus) lines.push(`response_total${labels({ ...base, status_code: status, classification: status.startsWith('5') ? 'failure' : 'success' })} ${n}`);
        histogram('response_latency_ms', base, c, 1);
      } else {
        const pod = pods.get(k)?.[0];
        if (!pod) continue;
        // podinfo labels its histogram by status; all traffic here has one latency, so buckets split by status share.
        for (const [status, n] of c.byStatus) {
          const share = c.count === 0 ? 0 : n / c.count;
          const base = { kubernetes_namespace: namespace, kubernetes_pod_name: pod, method: 'GET', path: 'root', status };
          BUCKETS_MS.forEach((le, i) => lines.push(`http_request_duration_seconds_bucket${labels({ ...base, le: String(le / 1000) })} ${(c.buckets[i] ?? 0) * share}`));
          lines.push(`http_request_duration_seconds_bucket${labels({ ...base, le: '+Inf' })} ${n}`);
          lines.push(`http_request_duration_seconds_sum${labels(base)} ${(c.sumMs / 1000) * share}`);
          lines.push(`http_request_duration_seconds_count${labels(base)} ${n}`);
        }
      }
    }
    return `${lines.join('\n')}\n`;

    function histogram(name: string, base: Record<string, string>, c: Counters, scale: number): void {
      BUCKETS_MS.forEach((le, i) => lines.push(`${name}_bucket${labels({ ...base, le: String(le * scale) })} ${c.buckets[i]}`));
      lines.push(`${name}_bucket${labels({ ...base, le: '+Inf' })} ${c.count}`);
      lines.push(`${name}_sum${labels(base)} ${c.sumMs * scale}`);
      lines.push(`${name}_count${labels(base)} ${c.count}`);
    }
  }

  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(render());
      return;
    }
    if (req.method === 'POST' && req.url === '/load') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const { url, durationSeconds, headers } = JSON.parse(body) as { url: string; durationSeconds: number; headers: string[] };
        const [host = ''] = new URL(url).hostname.split(':');
        const [service = '', namespace = ''] = host.split('.');
        const target = service.replace(/-canary$/, '');
        loadUntil.set(key(namespace, target), Date.now() + durationSeconds * 1000);
        loads.push({ at: Date.now(), namespace, service: target, durationSeconds, headers });
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(404).end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    address: `127.0.0.1:${port}`,
    loads,
    setShape: (s) => void (shape = s),
    setBehaviour: (namespace, service, behaviour) => void behaviours.set(key(namespace, service), behaviour),
    setPods: (namespace, byWorkload) => {
      for (const [workload, names] of Object.entries(byWorkload)) pods.set(key(namespace, workload), names);
    },
    reset: () => {
      counters.clear();
      loadUntil.clear();
      behaviours.clear();
      pods.clear();
      loads.length = 0;
    },
    close: () => {
      clearInterval(tick);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
