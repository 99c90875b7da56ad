/**
 * A cluster as Flagger leaves it after initialising every Canary of a rendered distribution: one
 * primary and one canary pod per service, the three Services, ConfigMaps copied for the primary.
 * What the data-plane model and the policy engine are asked about.
 */
import { PODINFO } from '@canaryship/blocks';
import type { Json, Pod, Snapshot } from '@canaryship/cluster';
import { renderedDistribution, type Env, type Obj } from './distribution.js';

const NAMESPACE = 'webapp';

export function clusterOf(env: Env, extra: { virtualServices?: Json[]; httpRoutes?: Json[] } = {}): Snapshot {
  const objects = renderedDistribution(env).map((o) => o.object);
  const of = (kind: string): Obj[] => objects.filter((o) => o.kind === kind);
  const pods: Pod[] = [];
  const podFrom = (deployment: Obj, name: string, app: string, configSuffix: string): Pod => {
    const template = deployment.spec.template;
    return {
      name,
      namespace: NAMESPACE,
      labels: { ...template.metadata.labels, app },
      annotations: {},
      workload: app,
      configMaps: ((template.spec.volumes ?? []) as Obj[]).flatMap((v) => (v.configMap ? [`${v.configMap.name}${configSuffix}`] : [])),
      ports: (template.spec.containers as Obj[]).flatMap((c) => (c.ports ?? []).map((p: Obj) => ({ name: p.name, containerPort: p.containerPort }))),
      image: template.spec.containers[0].image,
      ready: true,
    };
  };
  const services: Json[] = [...of('Service')];
  const configMaps = new Map<string, Record<string, string>>(of('ConfigMap').map((c) => [c.metadata.name, c.data]));
  // Flagger splits the Deployments its Canaries target into primary and canary.
  const canaried = new Set(of('Canary').map((canary) => canary.spec.targetRef.name as string));
  for (const deployment of of('Deployment')) {
    const name = deployment.metadata.name as string;
    if (canaried.has(name)) {
      pods.push(podFrom(deployment, `${name}-primary-1`, `${name}-primary`, '-primary'), podFrom(deployment, `${name}-canary-1`, name, ''));
      for (const [service, app] of [[name, `${name}-primary`], [`${name}-primary`, `${name}-primary`], [`${name}-canary`, name]]) {
        services.push({ metadata: { name: service }, spec: { selector: { app }, ports: [{ port: PODINFO.httpPort, targetPort: 'http' }] } });
      }
      configMaps.set(`${name}-config-primary`, configMaps.get(`${name}-config`)!);
    } else pods.push(podFrom(deployment, `${name}-1`, deployment.spec.template.metadata.labels.app, ''));
  }
  return {
    namespace: NAMESPACE,
    pods,
    services,
    configMaps,
    networkPolicies: of('NetworkPolicy'),
    virtualServices: extra.virtualServices ?? [],
    httpRoutes: extra.httpRoutes ?? [],
    namespaceLabels: new Map(),
  };
}

