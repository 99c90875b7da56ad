import { describe, expect, it } from 'vitest';
import { canaryRoute, endpoints, route } from './routing.js';
import { emptySnapshot } from './state.js';

const snapshot = (objects: { virtualServices?: object[]; httpRoutes?: object[] }) => ({ ...emptySnapshot('webapp'), ...objects }) as ReturnType<typeof emptySnapshot>;
const destination = (host: string, weight?: number) => ({ destination: { host }, ...(weight !== undefined && { weight }) });

describe('canaryRoute reads what the routes Flagger wrote do', () => {
  it('Istio: the default rule weight, an A/B rule to the canary, a mirror', () => {
    const ab = { spec: { hosts: ['frontend'], http: [{ match: [{ headers: { 'x-canary': { exact: 'insider' } } }], route: [destination('frontend-primary', 0), destination('frontend-canary', 100)] }, { route: [destination('frontend-primary', 100), destination('frontend-canary', 0)] }] } };
    expect(canaryRoute(snapshot({ virtualServices: [ab] }), 'istio', 'frontend')).toEqual({ weight: 0, matchRule: true, mirror: false });
    const mirrored = { spec: { hosts: ['database.webapp'], http: [{ route: [destination('database-primary', 100), destination('database-canary', 0)], mirror: { host: 'database-canary' } }] } };
    expect(canaryRoute(snapshot({ virtualServices: [mirrored] }), 'istio', 'database')).toEqual({ weight: 0, matchRule: false, mirror: true });
    const weighted = { spec: { hosts: ['backend'], http: [{ route: [destination('backend-primary', 80), destination('backend-canary', 20)] }] } };
    expect(canaryRoute(snapshot({ virtualServices: [weighted] }), 'istio', 'backend')).toEqual({ weight: 20, matchRule: false, mirror: false });
    expect(canaryRoute(snapshot({ virtualServices: [weighted] }), 'istio', 'cache')).toEqual({ weight: 0, matchRule: false, mirror: false });
  });

  it('Gateway API: the rule without header matches, and a session-cookie rule to the canary', () => {
    const route = {
      spec: {
        parentRefs: [{ kind: 'Service', name: 'frontend' }],
        rules: [
          { matches: [{ headers: [{ name: 'Cookie', type: 'RegularExpression', value: '.*canaryship-frontend=x.*' }] }], backendRefs: [{ name: 'frontend-canary', weight: 100 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'frontend-primary', weight: 60 }, { name: 'frontend-canary', weight: 40 }] },
        ],
      },
    };
    expect(canaryRoute(snapshot({ httpRoutes: [route] }), 'linkerd', 'frontend')).toEqual({ weight: 40, matchRule: true, mirror: false });
    expect(canaryRoute(snapshot({ httpRoutes: [route] }), 'none', 'frontend')).toEqual({ weight: 0, matchRule: false, mirror: false });
  });
});

describe('route decides as each mesh reads a request', () => {
  const services = ['frontend', 'backend', 'entry'].map((name) => ({ metadata: { name } }));
  const toCanary = (service: string) => ({ spec: { hosts: [service], http: [{ route: [destination(`${service}-primary`, 0), destination(`${service}-canary`, 100)] }] } });
  const at = (host: string, headers: Record<string, string> = {}) => ({ host, port: 9898, headers });
  const never = () => 0;

  it('Istio: by the authority, not the address; an authority it knows no Service by passes through to the address, no route applied', () => {
    const view = { ...snapshot({ virtualServices: [toCanary('frontend'), toCanary('backend')] }), services } as ReturnType<typeof emptySnapshot>;
    expect(route(view, 'istio', at('frontend.webapp'), never)?.service).toBe('frontend-canary');
    expect(route(view, 'istio', at('frontend.webapp', { host: 'frontend.webapp:9898' }), never)?.service).toBe('frontend-canary');
    // Sent to frontend's address, with backend's name: Istio routes to backend.
    expect(route(view, 'istio', at('frontend.webapp', { host: 'backend.webapp' }), never)?.service).toBe('backend-canary');
    // An entry that forgot to rewrite the authority: the user's host is no Service, so frontend's routes never apply.
    expect(route(view, 'istio', at('frontend.webapp', { host: 'shop.example.com' }), never)).toEqual({ service: 'frontend', responseHeaders: {} });
  });

  it("Linkerd: by the address connected to (the Service's ClusterIP), whatever the Host header says", () => {
    const toCanaryRoute = (service: string) => ({ spec: { parentRefs: [{ kind: 'Service', name: service }], rules: [{ backendRefs: [{ name: `${service}-primary`, weight: 0 }, { name: `${service}-canary`, weight: 100 }] }] } });
    const view = { ...snapshot({ httpRoutes: [toCanaryRoute('frontend')] }), services } as ReturnType<typeof emptySnapshot>;
    expect(route(view, 'linkerd', at('frontend.webapp', { host: 'backend.webapp' }), never)?.service).toBe('frontend-canary');
    expect(route(view, 'linkerd', at('backend.webapp', { host: 'frontend.webapp' }), never)?.service).toBe('backend');
  });

  it("Gateway API: a rule's response header filters apply to each of its backends, a backend's own after them", () => {
    const cookie = (value: string) => ({ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value }] } });
    const httpRoute = { spec: { parentRefs: [{ kind: 'Service', name: 'frontend' }], rules: [{ filters: [cookie('canaryship-frontend=x; Max-Age=21600')], backendRefs: [{ name: 'frontend-canary', weight: 1 }] }] } };
    const view = { ...snapshot({ httpRoutes: [httpRoute] }), services } as ReturnType<typeof emptySnapshot>;
    expect(route(view, 'linkerd', at('frontend.webapp'), never)).toEqual({ service: 'frontend-canary', responseHeaders: { 'set-cookie': 'canaryship-frontend=x; Max-Age=21600' } });
    const both = { spec: { ...httpRoute.spec, rules: [{ ...httpRoute.spec.rules[0], backendRefs: [{ name: 'frontend-canary', weight: 1, filters: [cookie('canaryship-frontend=y')] }] }] } };
    expect(route({ ...view, httpRoutes: [both] }, 'linkerd', at('frontend.webapp'), never)?.responseHeaders).toEqual({ 'set-cookie': 'canaryship-frontend=y' });
  });
});

describe('endpoints', () => {
  it('leads a Service port to the named container port of ready pods, and refuses a port the Service does not expose', () => {
    const pod = { name: 'api-1', namespace: 'webapp', labels: { app: 'api' }, annotations: {}, workload: 'api', configMaps: [], ports: [{ name: 'http', containerPort: 9898 }], image: 'podinfo', ready: true };
    const service = { metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 'http' }] } };
    const view = { ...snapshot({}), pods: [pod, { ...pod, name: 'api-2', ready: false }], services: [service] } as ReturnType<typeof emptySnapshot>;
    expect(endpoints(view, 'api', 80)).toEqual({ pods: [pod], targetPort: 9898 });
    expect(endpoints(view, 'api', 9898)).toBeUndefined();
    expect(endpoints(view, 'web', 80)).toBeUndefined();
  });
});
