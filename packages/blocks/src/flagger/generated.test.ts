import { describe, expect, it } from 'vitest';
import { flaggerGeneratedObjects, nameCollisions } from './generated.js';

const canary = (spec: Record<string, unknown>, name = 'backend') => ({ kind: 'Canary', metadata: { name }, spec: { targetRef: { kind: 'Deployment', name }, ...spec } });
const deployment = (name: string, podSpec: Record<string, unknown>) => ({ kind: 'Deployment', metadata: { name }, spec: { template: { spec: podSpec } } });
const names = (objects: readonly { kind: string; name: string }[]): string[] => objects.map((o) => `${o.kind}/${o.name}`);

describe('the objects Flagger creates for a Canary', () => {
  it('on plain Kubernetes: the primary Deployment and three Services named after the target', () => {
    expect(names(flaggerGeneratedObjects(canary({})))).toEqual(['Deployment/backend-primary', 'Service/backend', 'Service/backend-primary', 'Service/backend-canary']);
  });

  it('names the Services after spec.service.name when set, the primary Deployment after the target', () => {
    expect(names(flaggerGeneratedObjects(canary({ service: { name: 'api', port: 9898 } })))).toEqual(['Deployment/backend-primary', 'Service/api', 'Service/api-primary', 'Service/api-canary']);
  });

  it('adds the routes its provider writes: Istio VirtualService and DestinationRules, Gateway API HTTPRoute', () => {
    expect(names(flaggerGeneratedObjects(canary({ provider: 'istio' }))).slice(4)).toEqual(['VirtualService/backend', 'DestinationRule/backend-primary', 'DestinationRule/backend-canary']);
    expect(names(flaggerGeneratedObjects(canary({ provider: 'gatewayapi:v1beta1' }))).slice(4)).toEqual(['HTTPRoute/backend']);
    expect(names(flaggerGeneratedObjects(canary({ provider: 'linkerd' }))).slice(4)).toEqual([]);
  });

  it('copies the autoscaler, of the kind the Canary names', () => {
    expect(names(flaggerGeneratedObjects(canary({ autoscalerRef: { name: 'backend' } }))).slice(4)).toEqual(['HorizontalPodAutoscaler/backend-primary']);
    expect(names(flaggerGeneratedObjects(canary({ autoscalerRef: { kind: 'ScaledObject', name: 'b' } }))).slice(4)).toEqual(['ScaledObject/b-primary']);
  });

  it('copies every ConfigMap and Secret the pod template references, however it references them', () => {
    const target = deployment('backend', {
      volumes: [
        { name: 'a', configMap: { name: 'cm-volume' } },
        { name: 'b', secret: { secretName: 'secret-volume' } },
        { name: 'c', projected: { sources: [{ configMap: { name: 'cm-projected' } }, { secret: { name: 'secret-projected' } }, { downwardAPI: {} }] } },
        { name: 'd', emptyDir: {} },
      ],
      containers: [{ name: 'app', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm-key', key: 'k' } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 'secret-key', key: 'k' } } }, { name: 'C', value: 'plain' }] }],
      initContainers: [{ name: 'init', envFrom: [{ configMapRef: { name: 'cm-from' } }, { secretRef: { name: 'secret-from' } }] }],
    });
    expect(names(flaggerGeneratedObjects(canary({}), target)).slice(4)).toEqual([
      'ConfigMap/cm-volume-primary',
      'Secret/secret-volume-primary',
      'ConfigMap/cm-projected-primary',
      'Secret/secret-projected-primary',
      'ConfigMap/cm-key-primary',
      'Secret/secret-key-primary',
      'ConfigMap/cm-from-primary',
      'Secret/secret-from-primary',
    ]);
  });
});

describe('names claimed twice', () => {
  it('finds a shipped object that Flagger would overwrite, and who claims it', () => {
    const objects = [deployment('backend', { volumes: [{ name: 'c', configMap: { name: 'backend' } }] }), canary({}), { kind: 'ConfigMap', metadata: { name: 'backend-primary' } }];
    expect(nameCollisions(objects)).toEqual([{ object: { kind: 'ConfigMap', name: 'backend-primary' }, claimedBy: ['shipped ConfigMap/backend-primary', 'Flagger, for Canary/backend'] }]);
  });

  it('finds two Canaries whose generated names meet', () => {
    const objects = [canary({}, 'api'), canary({ service: { name: 'api' } }, 'web')];
    expect(nameCollisions(objects).map((c) => `${c.object.kind}/${c.object.name}: ${c.claimedBy.join(' & ')}`)).toEqual([
      'Service/api: Flagger, for Canary/api & Flagger, for Canary/web',
      'Service/api-primary: Flagger, for Canary/api & Flagger, for Canary/web',
      'Service/api-canary: Flagger, for Canary/api & Flagger, for Canary/web',
    ]);
  });

  it('finds nothing where every name is claimed once, and reads the target only of its own kind', () => {
    const objects = [deployment('backend', {}), canary({ provider: 'istio' }), { kind: 'Service', metadata: { name: 'backend' }, spec: { template: { spec: { volumes: [{ configMap: { name: 'x' } }] } } } }];
    expect(nameCollisions(objects).map((c) => c.object)).toEqual([{ kind: 'Service', name: 'backend' }]);
    expect(nameCollisions([deployment('backend', {}), canary({})])).toEqual([]);
  });
});
