/**
 * What runs in a pod, where kwok runs nothing: podinfo (6.14.1, read from its source:
 * pkg/api/http) and the Envoy entry, each driven by the pod's own configuration, the ConfigMap it
 * mounts, so a release's behaviour is a property of its revision, as with the real programs.
 *
 * podinfo, for the routes the checks, the load and the users reach: `/`, `/version`, `/echo` (and
 * `/api/echo`), `/healthz`, `/readyz`, `/store`, `/fault_injection/*`. Its config file sets
 * `backend-url` (the echo's fan-out), `random-delay` (a delay between min and max, every route) and
 * `random-error` (one request in three answers 500, 400 or 409, every route). Those two are random
 * in podinfo; here they are deterministic (every third request, the delay's midpoint), so runs
 * repeat. `POST /fault_injection/enable` switches a pod to 500 on everything but health, metrics
 * and the switch itself, as podinfo does.
 */
import { parse } from 'yaml';
import type { Pod, Snapshot } from './state.js';

export interface Request {
  readonly method: string;
  readonly path: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface Answer {
  /** undefined: the connection failed, no HTTP status (refused, reset, timed out). */
  readonly status: number | undefined;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A request from one pod to a URL, through the data plane. */
export type Call = (from: Pod, method: string, url: string, headers: Record<string, string>, body: string) => Promise<Answer>;

/** What a pod keeps between requests: podinfo's counters and fault switch. */
export interface PodState {
  requests: number;
  faultInjection: boolean;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface PodinfoConfig {
  readonly backends: readonly string[];
  readonly message: string;
  readonly randomError: boolean;
  readonly delayMs?: number;
}

function podinfoConfig(snapshot: Snapshot, pod: Pod): PodinfoConfig {
  const file = pod.configMaps.map((name) => snapshot.configMaps.get(name)?.['config.yaml']).find((f) => f !== undefined);
  const config = (file ? (parse(file) as Record<string, unknown> | null) : null) ?? {};
  const backends = config['backend-url'];
  const unit = String(config['random-delay-unit'] ?? 's') === 'ms' ? 1 : 1000;
  const min = Number(config['random-delay-min'] ?? 0) * unit;
  const max = Number(config['random-delay-max'] ?? 0) * unit;
  return {
    backends: Array.isArray(backends) ? backends.map(String) : backends ? [String(backends)] : [],
    message: String(config['ui-message'] ?? pod.workload),
    randomError: config['random-error'] === true,
    ...(config['random-delay'] === true && { delayMs: (min + max) / 2 }),
  };
}

/** Routes podinfo's fault injection leaves alone (fault_injection.go). */
const FAULT_EXEMPT = (path: string): boolean => path.startsWith('/fault_injection') || path === '/healthz' || path === '/readyz' || path === '/metrics';
/** The statuses podinfo's random error picks from (http.go). */
const RANDOM_ERRORS = [500, 400, 409];
/** Headers podinfo copies onto its calls to backends (echo.go copyTracingHeaders). */
const TRACING = ['x-request-id', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'x-ot-span-context'];

export async function podinfo(snapshot: Snapshot, pod: Pod, state: PodState, request: Request, call: Call): Promise<Answer> {
  const config = podinfoConfig(snapshot, pod);
  // The tag, whether or not a digest pins it (`podinfo:6.14.1@sha256:…`).
  const version = /:v?(\d+\.\d+\.\d+)(@sha256:[0-9a-f]{64})?$/.exec(pod.image)?.[1] ?? 'unknown';
  state.requests += 1;
  // Router-level middleware, in podinfo's order: the delay, then the random error, for every route.
  if (config.delayMs !== undefined) await sleep(config.delayMs);
  if (config.randomError && state.requests % 3 === 0) return { status: RANDOM_ERRORS[(state.requests / 3) % 3] ?? 500, body: '', headers: {} };
  if (state.faultInjection && !FAULT_EXEMPT(request.path)) return json(500, { status: 'fault injection enabled' });

  switch (request.path) {
    case '/healthz':
    case '/readyz':
      return json(200, { status: 'OK' });
    case '/version':
      return json(200, { version, commit: '' });
    case '/fault_injection/enable':
    case '/fault_injection/disable':
      if (request.method !== 'POST') return json(405, { error: 'method not allowed' });
      state.faultInjection = request.path.endsWith('/enable');
      return json(200, { status: state.faultInjection ? 'fault injection enabled' : 'fault injection disabled' });
    case '/fault_injection/status':
      return json(200, { status: state.faultInjection ? 'enabled' : 'disabled' });
    case '/store':
      return request.method === 'POST' || request.method === 'PUT' ? json(202, { hash: `sha256:${request.body.length}` }) : json(405, { error: 'method not allowed' });
    case '/':
      return request.method === 'GET' ? json(200, { hostname: pod.name, version, message: config.message }) : json(405, { error: 'method not allowed' });
    case '/echo':
    case '/api/echo': {
      if (config.backends.length === 0) return { status: 202, body: request.body, headers: { 'content-type': 'text/plain; charset=utf-8' } };
      const forwarded = Object.fromEntries(TRACING.flatMap((h) => (request.headers[h] !== undefined ? [[h, request.headers[h]!]] : [])));
      // All backends at once, each answer or failure in its place (echo.go).
      const results = await Promise.all(
        config.backends.map(async (url) => {
          const answer = await call(pod, 'POST', url, { ...forwarded, 'content-type': 'application/json', 'x-api-version': version }, request.body);
          if (answer.status === undefined) return `backend ${url} call failed ${answer.body}`;
          if (answer.status >= 400) return `backend ${url} response status code ${answer.status}`;
          return answer.body;
        }),
      );
      return json(200, results);
    }
    default:
      return { status: 404, body: '404 page not found\n', headers: { 'content-type': 'text/plain; charset=utf-8' } };
  }
}

interface EnvoyRoute {
  readonly healthPath?: string;
  readonly upstream: string;
  readonly hostRewrite?: string;
  readonly addHeaders: Readonly<Record<string, string>>;
}

/** The one route our entry's bootstrap holds (packages/entry), read from the pod's ConfigMap. */
function envoyRoute(snapshot: Snapshot, pod: Pod): EnvoyRoute | undefined {
  const file = pod.configMaps.map((name) => snapshot.configMaps.get(name)?.['envoy.yaml']).find((f) => f !== undefined);
  if (!file) return undefined;
  type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const config = parse(file) as Loose;
  const manager = config['static_resources']?.listeners?.[0]?.filter_chains?.[0]?.filters?.[0]?.typed_config as Loose | undefined;
  const host = manager?.['route_config']?.virtual_hosts?.[0] as Loose | undefined;
  const routes = (host?.['routes'] ?? []) as Loose[];
  const forward = routes.find((r) => r['route']);
  const cluster = ((config['static_resources']?.clusters ?? []) as Loose[]).find((c) => c['name'] === forward?.['route']?.cluster);
  const address = cluster?.['load_assignment']?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address?.socket_address as Loose | undefined;
  if (!address) return undefined;
  return {
    ...(routes.find((r) => r['direct_response'])?.['match']?.path && { healthPath: String(routes.find((r) => r['direct_response'])?.['match']?.path) }),
    upstream: `http://${address['address']}:${address['port_value']}`,
    ...(forward?.['route']?.host_rewrite_literal && { hostRewrite: String(forward['route'].host_rewrite_literal) }),
    addHeaders: Object.fromEntries(((host?.['request_headers_to_add'] ?? []) as Loose[]).map((h) => [String(h['header']?.key).toLowerCase(), String(h['header']?.value)])),
  };
}

/** The entry: its health path answers itself; everything else goes on to the upstream, as configured. */
export async function envoy(snapshot: Snapshot, pod: Pod, request: Request, call: Call): Promise<Answer> {
  const route = envoyRoute(snapshot, pod);
  if (!route) return { status: 503, body: 'no route configured', headers: {} };
  if (request.path === route.healthPath) return { status: 200, body: '', headers: {} };
  const headers = { ...request.headers, ...route.addHeaders, ...(route.hostRewrite && { host: route.hostRewrite }) };
  const answer = await call(pod, request.method, `${route.upstream}${request.path}`, headers, request.body);
  // Envoy answers 503 for an upstream it could not reach.
  return answer.status === undefined ? { status: 503, body: `upstream connect error: ${answer.body}`, headers: {} } : answer;
}
