/**
 * The traffic path, read through the local data plane's model (tools/cluster/src/dataplane) on a
 * cluster built from each rendered distribution the way Flagger would run it (primary and canary
 * pods, the three Services, ConfigMaps copied for the primary): the NetworkPolicies admit exactly
 * the path, neither more nor less; a user's echo through the entry proves every hop; and the routes
 * Flagger writes decide who reaches a canary.
 */
import { admits, callTreeOf, createDataPlane, createTelemetry, provenHops, route, type Peer, type Pod } from '@canaryship/cluster';
import { ENVIRONMENT_PROFILES, FLAGGER_POD_LABELS, PODINFO, prometheusNamespace } from '@canaryship/blocks';
import { LOADTESTER } from '@canaryship/loadtester';
import { describe, expect, it } from 'vitest';
import { clusterOf } from '../support/cluster.js';
import { DEFINITIONS, ENVIRONMENT_NAMES, serviceNamesOf, servicesOf, type Env } from '../support/distribution.js';

const NAMESPACE = 'webapp';

/** The path the app declares (entry → frontend → backend → cache and database in the demo): the entry to its upstream, each service to those it calls. */
const declaredCalls = (env: Env): (readonly [string, string])[] => [
  ['entry', DEFINITIONS[env].entry.upstream],
  ...servicesOf(env).flatMap((input) => (input.config.calls ?? []).map((to) => [input.name, to] as const)),
];

/** Who may call a service's pods: the loadtester, and each declared caller's pods (a service's primary and canary; the entry has one Deployment). */
const callersOf = (env: Env, service: string): string[] =>
  ['flagger-loadtester', ...declaredCalls(env).flatMap(([from, to]) => (to !== service ? [] : from === 'entry' ? [from] : [from, `${from}-primary`]))].sort();

/** Every workload a user's request reaches, in the order the echo nests them (depth first from the entry). */
function userPath(env: Env): string[] {
  const seen: string[] = [];
  const visit = (name: string): void => {
    if (seen.includes(name)) return;
    seen.push(name);
    for (const [from, to] of declaredCalls(env)) if (from === name) visit(to);
  };
  visit('entry');
  return seen;
}

const meshOf = (env: Env) => (env === 'kubernetes' ? 'none' : env) as 'none' | 'istio' | 'linkerd';

describe.each(ENVIRONMENT_NAMES)('%s: the traffic path', (env) => {
  it('admits exactly the declared path (entry → frontend → backend → cache and database), the loadtester to every service, and nothing else', async () => {
    const snapshot = clusterOf(env);
    const plane = createDataPlane({ mesh: () => meshOf(env), snapshot: () => snapshot, telemetry: createTelemetry(() => true) });
    const workloads = [...new Set(snapshot.pods.map((p) => p.workload))];
    const admitted: string[] = [];
    for (const source of snapshot.pods) {
      for (const target of ['entry', ...serviceNamesOf(env).flatMap((s) => [s, `${s}-canary`])]) {
        const port = target === 'entry' ? 80 : PODINFO.httpPort;
        const id = `${source.name}-${target}`;
        await plane.send({ pod: source }, 'GET', `http://${target}.${NAMESPACE}:${port}/healthz`, { 'x-request-id': id }, '');
        // Reached when the source's own connection was not dropped (a meshed caller's proxy answers 503 or 504 for one that was).
        if (plane.hops.some((h) => h.requestId === id && h.from === source.name && h.refused === undefined)) admitted.push(`${source.workload.replace(/-primary$/, '')} → ${target.replace(/-canary$/, '')}`);
      }
    }
    const expected = [
      ...workloads.map((w) => `${w.replace(/-primary$/, '')} → entry`), // users come from anywhere
      ...declaredCalls(env).map(([from, to]) => `${from} → ${to}`),
      ...serviceNamesOf(env).map((s) => `flagger-loadtester → ${s}`),
    ];
    expect([...new Set(admitted)].sort()).toEqual([...new Set(expected)].sort());
  });

  it("lets Flagger's pod alone call the loadtester, the environment's Prometheus alone scrape, and the mesh's inbound port carry exactly the path", () => {
    const snapshot = clusterOf(env);
    const profile = ENVIRONMENT_PROFILES[env];
    const prometheus = prometheusNamespace(profile);
    const podOf = (workload: string): Pod => snapshot.pods.find((p) => p.workload === workload)!;
    const peers: [string, Peer][] = [
      ['Flagger', { namespace: profile.flaggerNamespace, labels: FLAGGER_POD_LABELS }],
      // On plain Kubernetes and Istio, Flagger and Prometheus share a namespace; on Istio, the ingress gateway does too.
      [`another pod of ${profile.flaggerNamespace}`, { namespace: profile.flaggerNamespace, labels: { app: 'flagger-prometheus' } }],
      ['the ingress gateway', { namespace: 'istio-system', labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } }],
      ['linkerd-viz', { namespace: 'linkerd-viz', labels: { component: 'prometheus', 'linkerd.io/extension': 'viz' } }],
      [`namespace ${prometheus}`, { namespace: prometheus }],
      ['namespace default', { namespace: 'default' }],
      ['outside', { outside: true }],
      ...snapshot.pods.map((pod): [string, Peer] => [pod.workload, { pod }]),
    ];
    const admitted = (pod: Pod, port: number): string[] => [...new Set(peers.filter(([, peer]) => admits(snapshot, peer, pod, port)).map(([name]) => name))].sort();
    const inNamespace = (namespace: string): string[] => [...new Set(peers.filter(([, peer]) => 'namespace' in peer && peer.namespace === namespace).map(([name]) => name))].sort();
    // The loadtester's port runs any command it is sent and opens manual gates: Flagger's pod alone reaches it, over the mesh too.
    const loadtester = podOf('flagger-loadtester');
    for (const port of [LOADTESTER.containerPort, ...profile.meshPorts.inbound]) expect(admitted(loadtester, port), `loadtester:${port}`).toEqual(['Flagger']);
    for (const pod of snapshot.pods) {
      const scrapePorts = [...profile.meshPorts.scrape, ...(pod.ports.some((p) => p.containerPort === PODINFO.metricsPort) ? [PODINFO.metricsPort] : [])];
      for (const port of scrapePorts) expect(admitted(pod, port), `${pod.name}:${port}`).toEqual(inNamespace(prometheus));
    }
    // The application port: each service's callers and the loadtester, no process of any other namespace, nothing outside.
    for (const service of serviceNamesOf(env)) {
      for (const pod of [podOf(`${service}-primary`), podOf(service)]) {
        for (const port of [PODINFO.httpPort, ...profile.meshPorts.inbound]) expect(admitted(pod, port), `${pod.name}:${port}`).toEqual(callersOf(env, service));
      }
    }
    expect(profile.meshPorts.inbound).toEqual(env === 'linkerd' ? [4143] : []);
    expect(profile.meshPorts.scrape).toEqual(env === 'istio' ? [15020, 15090] : env === 'linkerd' ? [4191] : []);
  });

  it("proves every hop to a user: the answer through the entry holds the echo of the user's own request from every service on the path", async () => {
    const snapshot = clusterOf(env);
    const plane = createDataPlane({ mesh: () => meshOf(env), snapshot: () => snapshot, telemetry: createTelemetry(() => true) });
    const answer = await plane.send({ outside: true }, 'POST', `http://entry.${NAMESPACE}/echo`, { 'x-request-id': 'u1' }, JSON.stringify({ canaryship: 'canaryship-user-u1' }));
    expect(answer.status).toBe(200);
    expect(provenHops(answer.body, 'u1', callTreeOf(DEFINITIONS[env]))).toEqual({ ok: true, hops: userPath(env) });
    // Every hop went to the primaries: no route sends users to a canary outside a release.
    expect(plane.hops.filter((h) => h.requestId === 'u1').map((h) => h.workload).sort()).toEqual(userPath(env).map((w) => (w === 'entry' ? w : `${w}-primary`)).sort());
  });

  it('refuses what the path does not hold: Flagger reaching a service directly, a user skipping the entry', async () => {
    const snapshot = clusterOf(env);
    const plane = createDataPlane({ mesh: () => meshOf(env), snapshot: () => snapshot, telemetry: createTelemetry(() => true) });
    const service = serviceNamesOf(env)[0]!;
    expect((await plane.send({ namespace: 'flagger-system' }, 'GET', `http://${service}.${NAMESPACE}:9898/`, {}, '')).status).toBeUndefined();
    expect((await plane.send({ outside: true }, 'GET', `http://${DEFINITIONS[env].entry.upstream}.${NAMESPACE}:9898/`, {}, '')).status).toBeUndefined();
    expect(plane.hops.filter((h) => h.refused).map((h) => h.refused)).toEqual(['NetworkPolicy', 'NetworkPolicy']);
  });
});

describe('routes as each mesh reads them', () => {
  const request = (headers: Record<string, string> = {}) => ({ host: `frontend.${NAMESPACE}`, port: 9898, headers });
  const abRoutes = {
    metadata: { name: 'frontend' },
    spec: {
      hosts: ['frontend'],
      http: [
        {
          match: [{ headers: { 'x-canary': { exact: 'insider' } } }, { headers: { cookie: { regex: '^(.*?;\\s*)?(canary=always)(;.*)?$' } } }],
          route: [{ destination: { host: 'frontend-primary' }, weight: 0 }, { destination: { host: 'frontend-canary' }, weight: 100 }],
        },
        { route: [{ destination: { host: 'frontend-primary' }, weight: 100 }, { destination: { host: 'frontend-canary' }, weight: 0 }] },
      ],
    },
  };

  it('Istio: A/B sends exactly the matching requests to the canary', () => {
    const snapshot = clusterOf('istio', { virtualServices: [abRoutes] });
    expect(route(snapshot, 'istio', request({ 'x-canary': 'insider' }))?.service).toBe('frontend-canary');
    expect(route(snapshot, 'istio', request({ cookie: 'session=1; canary=always' }))?.service).toBe('frontend-canary');
    expect(route(snapshot, 'istio', request({ 'x-canary': 'insiders' }))?.service).toBe('frontend-primary');
    expect(route(snapshot, 'istio', request({ cookie: 'canary=alwayss' }))?.service).toBe('frontend-primary');
  });

  it('Istio: weights split by the draw, and a mirror gets a copy', () => {
    const weighted = { metadata: { name: 'frontend' }, spec: { hosts: ['frontend.webapp.svc.cluster.local'], http: [{ route: [{ destination: { host: 'frontend-primary' }, weight: 70 }, { destination: { host: 'frontend-canary' }, weight: 30 }], mirror: { host: 'frontend-canary' }, mirrorPercentage: { value: 50 } }] } };
    const snapshot = clusterOf('istio', { virtualServices: [weighted] });
    expect(route(snapshot, 'istio', request(), () => 0.69)?.service).toBe('frontend-primary');
    expect(route(snapshot, 'istio', request(), () => 0.71)).toMatchObject({ service: 'frontend-canary', mirror: { service: 'frontend-canary', percent: 50 } });
  });

  it('Gateway API: the session cookie keeps a user on the canary, and the canary sets it', () => {
    const sticky = {
      metadata: { name: 'frontend' },
      spec: {
        parentRefs: [{ group: 'core', kind: 'Service', name: 'frontend', port: 9898 }],
        rules: [
          { matches: [{ headers: [{ type: 'RegularExpression', name: 'Cookie', value: '.*canaryship-frontend.*abc.*' }] }], backendRefs: [{ name: 'frontend-primary', weight: 0 }, { name: 'frontend-canary', weight: 100 }] },
          {
            backendRefs: [
              { name: 'frontend-primary', weight: 80 },
              { name: 'frontend-canary', weight: 20, filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: 'canaryship-frontend=abc; Max-Age=3600' }] } }] },
            ],
          },
        ],
      },
    };
    const snapshot = clusterOf('linkerd', { httpRoutes: [sticky] });
    expect(route(snapshot, 'linkerd', request({ cookie: 'canaryship-frontend=abc' }), () => 0)?.service).toBe('frontend-canary');
    expect(route(snapshot, 'linkerd', request(), () => 0.9)).toEqual({ service: 'frontend-canary', responseHeaders: { 'set-cookie': 'canaryship-frontend=abc; Max-Age=3600' } });
    expect(route(snapshot, 'linkerd', request(), () => 0.1)).toEqual({ service: 'frontend-primary', responseHeaders: {} });
  });

  it('plain Kubernetes: the apex Service is the primary, whatever the headers say', () => {
    expect(route(clusterOf('kubernetes'), 'none', request({ 'x-canary': 'insider' }))?.service).toBe('frontend');
  });
});
