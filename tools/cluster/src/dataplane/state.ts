/**
 * What the data plane knows of the cluster: the objects of the app's namespace that decide where a
 * request goes (Services, the routes Flagger writes, NetworkPolicies), which pods run, and the
 * ConfigMaps they mount. Refreshed from the API server every half second; everything that routes
 * reads one consistent snapshot.
 */
import type { ApiClient, Json } from './api.js';

export interface Pod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The workload it belongs to, as the meshes name it: the `app` label (`backend`, `backend-primary`). */
  readonly workload: string;
  /** The ConfigMaps its volumes mount (Flagger points a primary at its `-primary` copies). */
  readonly configMaps: readonly string[];
  /** Container ports, by name and number. */
  readonly ports: readonly { readonly name?: string; readonly containerPort: number }[];
  /** The first container's image: what program the pod runs. */
  readonly image: string;
  readonly ready: boolean;
  /** Its address, where the cluster gave it one: what a NetworkPolicy's IP block matches. */
  readonly ip?: string;
}

export interface Snapshot {
  readonly namespace: string;
  readonly pods: readonly Pod[];
  readonly services: readonly Json[];
  readonly configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly networkPolicies: readonly Json[];
  readonly virtualServices: readonly Json[];
  readonly httpRoutes: readonly Json[];
  /** Labels of every namespace, for NetworkPolicy namespace selectors. */
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

const podOf = (pod: Json): Pod => ({
  name: String(pod['metadata']?.name),
  namespace: String(pod['metadata']?.namespace),
  labels: (pod['metadata']?.labels ?? {}) as Record<string, string>,
  annotations: (pod['metadata']?.annotations ?? {}) as Record<string, string>,
  workload: String(pod['metadata']?.labels?.app ?? pod['metadata']?.name),
  configMaps: ((pod['spec']?.volumes ?? []) as Json[]).flatMap((v) => (v['configMap']?.name ? [String(v['configMap'].name)] : [])),
  ports: ((pod['spec']?.containers ?? []) as Json[]).flatMap((c) => ((c['ports'] ?? []) as Json[]).map((p) => ({ ...(p['name'] && { name: String(p['name']) }), containerPort: Number(p['containerPort']) }))),
  image: String(pod['spec']?.containers?.[0]?.image ?? ''),
  ready: pod['status']?.phase === 'Running' && ((pod['status']?.conditions ?? []) as Json[]).some((c) => c['type'] === 'Ready' && c['status'] === 'True'),
  ...(pod['status']?.podIP && { ip: String(pod['status'].podIP) }),
});

export async function readSnapshot(api: ApiClient, namespace: string): Promise<Snapshot> {
  const ns = `namespaces/${namespace}`;
  const [pods, services, configMaps, networkPolicies, virtualServices, httpRoutes, namespaces] = await Promise.all([
    api.list(`/api/v1/${ns}/pods`),
    api.list(`/api/v1/${ns}/services`),
    api.list(`/api/v1/${ns}/configmaps`),
    api.list(`/apis/networking.k8s.io/v1/${ns}/networkpolicies`),
    api.list(`/apis/networking.istio.io/v1beta1/${ns}/virtualservices`),
    api.list(`/apis/gateway.networking.k8s.io/v1beta1/${ns}/httproutes`),
    api.list('/api/v1/namespaces'),
  ]);
  return {
    namespace,
    pods: pods.filter((p) => !p['metadata']?.deletionTimestamp).map(podOf),
    services,
    configMaps: new Map(configMaps.map((c) => [String(c['metadata']?.name), (c['data'] ?? {}) as Record<string, string>])),
    networkPolicies,
    virtualServices,
    httpRoutes,
    namespaceLabels: new Map(namespaces.map((n) => [String(n['metadata']?.name), (n['metadata']?.labels ?? {}) as Record<string, string>])),
  };
}

export const emptySnapshot = (namespace: string): Snapshot => ({
  namespace,
  pods: [],
  services: [],
  configMaps: new Map(),
  networkPolicies: [],
  virtualServices: [],
  httpRoutes: [],
  namespaceLabels: new Map(),
});
