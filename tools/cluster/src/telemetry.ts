/**
 * Synthetic telemetry, shaped like each provider's real series, for Prometheus to scrape: Istio's
 * standard metrics, Linkerd's proxy metrics, or podinfo's own histogram as Flagger's bundled
 * Prometheus relabels it. The shapes are validate's SERIES_SHAPES, which its promtool checks use too. It stands in for workloads kwok cannot run; everything that reads it
 * (Prometheus, Flagger's builtin queries, our MetricTemplates) is real.
 *
 * A canary gets traffic only while a load test (the fake `hey`) runs against it; its responses follow
 * the behaviour the scenario set for it. Primaries always get good traffic.
 */
import { createServer, type Server } from 'node:http';
import { SERIES_SHAPES, type SeriesShape } from '@canaryship/validate';
import { freePort } from './ports.js';

export type Shape = SeriesShape;
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
    const { names, labels: labelsOf } = SERIES_SHAPES[shape];
    // Counters are kept in milliseconds; podinfo's histogram is in seconds.
    const scale = names.unit === 'seconds' ? 1 / 1000 : 1;
    const lines: string[] = [];
    for (const [k, c] of counters) {
      const [namespace = '', workload = ''] = k.split('/');
      const instance = shape === 'podinfo' ? pods.get(k)?.[0] : workload;
      if (!instance) continue;
      const base = labelsOf(namespace, instance);
      /** One histogram holding `share` of the traffic (all of it has one latency, so buckets split by share). */
      const histogram = (extra: Record<string, string>, share: number): void => {
        const at = { ...base, ...extra };
        BUCKETS_MS.forEach((le, i) => lines.push(`${names.duration}_bucket${labels({ ...at, le: String(le * scale) })} ${(c.buckets[i] ?? 0) * share}`));
        lines.push(`${names.duration}_bucket${labels({ ...at, le: '+Inf' })} ${c.count * share}`);
        lines.push(`${names.duration}_sum${labels(at)} ${c.sumMs * scale * share}`);
        lines.push(`${names.duration}_count${labels(at)} ${c.count * share}`);
      };
      if (names.requests === `${names.duration}_count`) {
        // podinfo: one histogram per status; its _count is the request counter.
        for (const [status, n] of c.byStatus) histogram({ [names.status]: status }, c.count === 0 ? 0 : n / c.count);
        continue;
      }
      for (const [status, n] of c.byStatus) lines.push(`${names.requests}${labels({ ...base, [names.status]: status, ...(names.statusLabels?.(status) ?? {}) })} ${n}`);
      histogram({}, 1);
    }
    return `${lines.join('\n')}\n`;
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
