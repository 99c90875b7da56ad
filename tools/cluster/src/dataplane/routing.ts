/**
 * Where a request goes, decided from the objects in the cluster as each mesh reads them: Istio's
 * VirtualServices (header and regex matches, weighted destinations, mirroring, response headers),
 * Gateway API HTTPRoutes attached to a Service (header matches, weighted backends, response header
 * filters on the rule and on the backend), and plain Services. Each mesh decides by what it reads:
 * Istio's sidecar by the request's authority (the Host header), passing a request for a host it
 * does not know through to the address it was sent to, untouched by any route; Linkerd's proxy by
 * that address, the Service's ClusterIP, whatever the Host header says. Pure: a snapshot and a
 * request in, a decision out; randomness is passed in, so tests can pin it.
 */
import { selectorMatches, type EnvironmentProfile } from '@canaryship/blocks';
import type { Json } from './api.js';
import type { Pod, Snapshot } from './state.js';

export type Mesh = EnvironmentProfile['mesh'];

export interface RouteRequest {
  /** The URL's hostname, which DNS turns into the address connected to: `frontend`, `frontend.webapp`, `frontend.webapp.svc.cluster.local`. */
  readonly host: string;
  readonly port: number;
  /** Lower-case names; `host` among them is the authority (else the URL's host is). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface Decision {
  /** The Service whose pods answer. */
  readonly service: string;
  /** Headers the route adds to the answer (Flagger's session-affinity cookie). */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** A Service that gets a copy whose answer nobody sees. */
  readonly mirror?: { readonly service: string; readonly percent: number };
}

/** The Service a hostname names in `namespace`, if it names one there. */
export function serviceOf(snapshot: Snapshot, host: string): Json | undefined {
  const [name, namespace = snapshot.namespace, ...rest] = host.split('.');
  if (namespace !== snapshot.namespace || (rest.length > 0 && rest.join('.') !== 'svc' && rest.join('.') !== 'svc.cluster.local')) return undefined;
  return snapshot.services.find((s) => s['metadata']?.name === name);
}

const hostNames = (service: string, namespace: string): string[] => [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];

/** Envoy evaluates header regexes as RE2 full matches. */
const fullMatch = (pattern: string, value: string): boolean => {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
};

const stringMatch = (condition: Json, value: string | undefined): boolean => {
  if (value === undefined) return false;
  if (condition['exact'] !== undefined) return value === condition['exact'];
  if (condition['prefix'] !== undefined) return value.startsWith(String(condition['prefix']));
  if (condition['regex'] !== undefined) return fullMatch(String(condition['regex']), value);
  return true;
};

/** Picks one of `choices` by weight; `random` in [0, 1). */
export function weighted<T>(choices: readonly { readonly value: T; readonly weight: number }[], random: number): T | undefined {
  const total = choices.reduce((sum, c) => sum + Math.max(0, c.weight), 0);
  if (total <= 0) return choices[0]?.value;
  let point = random * total;
  for (const choice of choices) {
    point -= Math.max(0, choice.weight);
    if (point < 0) return choice.value;
  }
  return choices.at(-1)?.value;
}

function istioRoute(snapshot: Snapshot, service: string, request: RouteRequest, random: () => number): Decision | undefined {
  const names = hostNames(service, snapshot.namespace);
  const virtualService = snapshot.virtualServices.find((vs) => ((vs['spec']?.hosts ?? []) as string[]).some((h) => names.includes(h)));
  if (!virtualService) return undefined;
  for (const http of (virtualService['spec']?.http ?? []) as Json[]) {
    const matches = (http['match'] ?? []) as Json[];
    const matched = matches.length === 0 || matches.some((m) => Object.entries((m['headers'] ?? {}) as Json).every(([name, condition]) => stringMatch(condition as Json, request.headers[name.toLowerCase()])));
    if (!matched) continue;
    const destinations = ((http['route'] ?? []) as Json[]).map((d) => ({ value: d, weight: d['weight'] === undefined ? 100 : Number(d['weight']) }));
    const chosen = weighted(destinations, random());
    if (!chosen) return undefined;
    const headers = { ...((http['headers']?.response?.add ?? {}) as Record<string, string>), ...((chosen['headers']?.response?.add ?? {}) as Record<string, string>) };
    const mirrorHost = http['mirror']?.host as string | undefined;
    return {
      service: String(chosen['destination']?.host).split('.')[0] ?? '',
      responseHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
      ...(mirrorHost && { mirror: { service: mirrorHost.split('.')[0] ?? mirrorHost, percent: Number(http['mirrorPercentage']?.value ?? 100) } }),
    };
  }
  return undefined;
}

function gatewayRoute(snapshot: Snapshot, service: string, request: RouteRequest, random: () => number): Decision | undefined {
  const route = snapshot.httpRoutes.find((r) => ((r['spec']?.parentRefs ?? []) as Json[]).some((p) => p['kind'] === 'Service' && p['name'] === service));
  if (!route) return undefined;
  const rules = (route['spec']?.rules ?? []) as Json[];
  // Rules with header matches are more specific than a rule without: they are tried first.
  const ordered = [...rules.filter((r) => (r['matches'] ?? []).some((m: Json) => (m['headers'] ?? []).length > 0)), ...rules.filter((r) => !(r['matches'] ?? []).some((m: Json) => (m['headers'] ?? []).length > 0))];
  for (const rule of ordered) {
    const matches = (rule['matches'] ?? []) as Json[];
    const matched =
      matches.length === 0 ||
      matches.some((m) =>
        ((m['headers'] ?? []) as Json[]).every((h) => {
          const value = request.headers[String(h['name']).toLowerCase()];
          return h['type'] === 'RegularExpression' ? value !== undefined && fullMatch(String(h['value']), value) : value === h['value'];
        }),
      );
    if (!matched) continue;
    const backends = ((rule['backendRefs'] ?? []) as Json[]).map((b) => ({ value: b, weight: b['weight'] === undefined ? 1 : Number(b['weight']) }));
    const chosen = weighted(backends, random());
    if (!chosen) return undefined;
    const headers: Record<string, string> = {};
    // The rule's filters apply to every backend of it (Flagger sets the session cookie's expiry there), the backend's after them.
    for (const filter of [...((rule['filters'] ?? []) as Json[]), ...((chosen['filters'] ?? []) as Json[])]) {
      if (filter['type'] !== 'ResponseHeaderModifier') continue;
      for (const h of [...((filter['responseHeaderModifier']?.add ?? []) as Json[]), ...((filter['responseHeaderModifier']?.set ?? []) as Json[])]) headers[String(h['name']).toLowerCase()] = String(h['value']);
    }
    return { service: String(chosen['name']), responseHeaders: headers };
  }
  return undefined;
}

/**
 * What the routes Flagger wrote for `service` do, read from the objects: the canary's share of
 * requests that match no rule, whether a rule with matches (A/B headers and cookies, a session
 * cookie) sends requests to the canary, and whether the canary gets copies. With no mesh, or before
 * Flagger writes a route, the Service sends everything to the primary.
 */
export interface CanaryRoute {
  readonly weight: number;
  readonly matchRule: boolean;
  readonly mirror: boolean;
}

const NO_ROUTE: CanaryRoute = { weight: 0, matchRule: false, mirror: false };

/** Percent of `choices`' weight on the `canary` one; `weightOf` and `nameOf` read each mesh's fields. */
const canaryPercent = (choices: readonly Json[], canary: string, weightOf: (c: Json) => number, nameOf: (c: Json) => string): number => {
  const total = choices.reduce((sum, c) => sum + Math.max(0, weightOf(c)), 0);
  const toCanary = choices.filter((c) => nameOf(c) === canary).reduce((sum, c) => sum + Math.max(0, weightOf(c)), 0);
  return total > 0 ? Math.round((100 * toCanary) / total) : 0;
};

export function canaryRoute(snapshot: Snapshot, mesh: Mesh, service: string): CanaryRoute {
  const canary = `${service}-canary`;
  if (mesh === 'istio') {
    const names = hostNames(service, snapshot.namespace);
    const virtualService = snapshot.virtualServices.find((vs) => ((vs['spec']?.hosts ?? []) as string[]).some((h) => names.includes(h)));
    const rules = (virtualService?.['spec']?.http ?? []) as Json[];
    const weightOf = (d: Json): number => (d['weight'] === undefined ? 100 : Number(d['weight']));
    const hostOf = (d: Json): string => String(d['destination']?.host).split('.')[0] ?? '';
    const fallback = rules.find((r) => ((r['match'] ?? []) as Json[]).length === 0);
    return {
      weight: fallback ? canaryPercent((fallback['route'] ?? []) as Json[], canary, weightOf, hostOf) : 0,
      matchRule: rules.some((r) => ((r['match'] ?? []) as Json[]).length > 0 && canaryPercent((r['route'] ?? []) as Json[], canary, weightOf, hostOf) > 0),
      mirror: rules.some((r) => String(r['mirror']?.host ?? '').split('.')[0] === canary),
    };
  }
  if (mesh === 'linkerd') {
    const httpRoute = snapshot.httpRoutes.find((r) => ((r['spec']?.parentRefs ?? []) as Json[]).some((p) => p['kind'] === 'Service' && p['name'] === service));
    const rules = (httpRoute?.['spec']?.rules ?? []) as Json[];
    const weightOf = (b: Json): number => (b['weight'] === undefined ? 1 : Number(b['weight']));
    const nameOf = (b: Json): string => String(b['name']);
    const hasHeaders = (r: Json): boolean => ((r['matches'] ?? []) as Json[]).some((m) => ((m['headers'] ?? []) as Json[]).length > 0);
    const fallback = rules.find((r) => !hasHeaders(r));
    return {
      weight: fallback ? canaryPercent((fallback['backendRefs'] ?? []) as Json[], canary, weightOf, nameOf) : 0,
      matchRule: rules.some((r) => hasHeaders(r) && canaryPercent((r['backendRefs'] ?? []) as Json[], canary, weightOf, nameOf) > 0),
      mirror: false,
    };
  }
  return NO_ROUTE;
}

/** Where the mesh sends a request for `request.host`; undefined when the host is no Service of the namespace. */
export function route(snapshot: Snapshot, mesh: Mesh, request: RouteRequest, random: () => number = Math.random): Decision | undefined {
  const addressed = serviceOf(snapshot, request.host);
  if (!addressed) return undefined;
  const plain = (service: Json): Decision => ({ service: String(service['metadata']?.name), responseHeaders: {} });
  if (mesh === 'istio') {
    const authority = serviceOf(snapshot, (request.headers['host'] ?? request.host).replace(/:\d+$/, ''));
    // An authority Istio knows no Service by passes through to the address, with no route applied.
    if (!authority) return plain(addressed);
    return istioRoute(snapshot, String(authority['metadata']?.name), request, random) ?? plain(authority);
  }
  if (mesh === 'linkerd') return gatewayRoute(snapshot, String(addressed['metadata']?.name), request, random) ?? plain(addressed);
  return plain(addressed);
}

/** The ready pods a Service selects, and the container port its `port` leads to on them; undefined when there is no such Service or port. */
export function endpoints(snapshot: Snapshot, serviceName: string, port: number): { pods: Pod[]; targetPort: number } | undefined {
  const service = snapshot.services.find((s) => s['metadata']?.name === serviceName);
  if (!service) return undefined;
  const selector = service['spec']?.selector as Record<string, string> | undefined;
  const pods = selector ? snapshot.pods.filter((p) => p.ready && selectorMatches({ matchLabels: selector }, p.labels)) : [];
  // A port the Service does not expose is refused, as kube-proxy and the meshes refuse it.
  const servicePort = ((service['spec']?.ports ?? []) as Json[]).find((p) => Number(p['port']) === port);
  if (!servicePort) return undefined;
  const target = servicePort['targetPort'] ?? servicePort['port'];
  const named = typeof target === 'string' ? pods[0]?.ports.find((p) => p.name === target)?.containerPort : undefined;
  return { pods, targetPort: typeof target === 'number' ? target : (named ?? port) };
}
