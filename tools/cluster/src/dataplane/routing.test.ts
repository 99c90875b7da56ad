import { describe, expect, it } from 'vitest';
import { canaryRoute, endpoints } from './routing.js';
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
