/**
 * The environments a distribution targets and what each one's Flagger install looks like.
 * One place for the provider name, the Prometheus Flagger's install queries, and namespace injection.
 */
export const ENVIRONMENTS = ['kubernetes', 'istio', 'linkerd'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** Value of a Canary's `spec.provider`. */
export type MeshProvider = 'kubernetes' | 'istio' | 'gatewayapi:v1beta1';

export interface EnvironmentProfile {
  readonly name: EnvironmentName;
  readonly provider: MeshProvider;
  /**
   * Prometheus that Flagger's install for this environment queries (`-metrics-server`);
   * MetricTemplates point at the same one so builtin and custom checks read one source.
   */
  readonly prometheusAddress: string;
  /** Labels and annotations that turn on the mesh for the application namespace. */
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly namespaceAnnotations: Readonly<Record<string, string>>;
  /**
   * Pod Security admission mode. Mesh sidecar injection without the mesh's CNI plugin adds an init
   * container with NET_ADMIN, which `restricted` (and `baseline`) reject; so on meshes we warn and
   * audit against `restricted` instead of enforcing it. Our own pod templates meet `restricted` everywhere.
   */
  readonly podSecurity: 'enforce' | 'warn';
  /** The mesh whose sidecar every pod of the namespace gets, if any. */
  readonly mesh: 'none' | 'istio' | 'linkerd';
  /** Namespace Flagger's install for this environment runs in: it calls the loadtester from there. */
  readonly flaggerNamespace: string;
  /** Namespaces of the mesh's own control plane and extensions (what a failed release's diagnosis reads). */
  readonly meshNamespaces: readonly string[];
  /**
   * Ports of the mesh's proxy that the NetworkPolicies must also open: where meshed traffic
   * arrives (Linkerd's inbound proxy) and where the mesh's Prometheus scrapes the proxy.
   */
  readonly meshPorts: { readonly inbound: readonly number[]; readonly scrape: readonly number[] };
  /**
   * How often that Prometheus scrapes the pods, as its standard install sets it. A new canary pod's
   * series need two scrapes before a rate() has a value: until then Flagger finds "no values" and
   * counts a failed check, so an analysis whose checks come faster than that must allow for them.
   */
  readonly scrapeIntervalSeconds: number;
}

/**
 * The labels of Flagger's own pod, as its kustomize overlays (which the provider bundle installs
 * through Flux) set them in every environment: the one pod allowed to call the loadtester.
 */
export const FLAGGER_POD_LABELS: Readonly<Record<string, string>> = { app: 'flagger' };

/** Namespace of the Prometheus an environment's Flagger queries: it scrapes the pods' metrics from there. */
export const prometheusNamespace = (profile: EnvironmentProfile): string => profile.prometheusAddress.replace(/^https?:\/\//, '').split(/[:/]/)[0]?.split('.')[1] ?? '';

export const ENVIRONMENT_PROFILES: { readonly [E in EnvironmentName]: EnvironmentProfile & { readonly name: E } } = {
  kubernetes: {
    name: 'kubernetes',
    provider: 'kubernetes',
    // Flagger's kustomize/kubernetes install bundles this Prometheus; it relabels pods to kubernetes_namespace/kubernetes_pod_name.
    prometheusAddress: 'http://flagger-prometheus.flagger-system:9090',
    namespaceLabels: {},
    namespaceAnnotations: {},
    podSecurity: 'enforce',
    mesh: 'none',
    flaggerNamespace: 'flagger-system',
    meshNamespaces: [],
    meshPorts: { inbound: [], scrape: [] },
    scrapeIntervalSeconds: 5, // kustomize/base/prometheus/prometheus.yml
  },
  istio: {
    name: 'istio',
    provider: 'istio',
    prometheusAddress: 'http://prometheus.istio-system:9090',
    namespaceLabels: { 'istio-injection': 'enabled' },
    namespaceAnnotations: {},
    podSecurity: 'warn',
    mesh: 'istio',
    flaggerNamespace: 'istio-system',
    meshNamespaces: ['istio-system'],
    // Sidecars take inbound traffic on the application's own port; istio-agent serves merged metrics on 15020.
    meshPorts: { inbound: [], scrape: [15020, 15090] },
    scrapeIntervalSeconds: 15, // samples/addons/prometheus.yaml
  },
  linkerd: {
    name: 'linkerd',
    // Flagger's current Linkerd install routes through Gateway API HTTPRoutes attached to the Service (not SMI).
    provider: 'gatewayapi:v1beta1',
    prometheusAddress: 'http://prometheus.linkerd-viz:9090',
    namespaceLabels: {},
    namespaceAnnotations: { 'linkerd.io/inject': 'enabled' },
    podSecurity: 'warn',
    mesh: 'linkerd',
    flaggerNamespace: 'flagger-system',
    meshNamespaces: ['linkerd', 'linkerd-viz'],
    // Meshed traffic arrives on the proxy's inbound port; linkerd-viz scrapes the proxy's admin port.
    meshPorts: { inbound: [4143], scrape: [4191] },
    scrapeIntervalSeconds: 10, // linkerd-viz's chart, prometheus.globalConfig
  },
};
