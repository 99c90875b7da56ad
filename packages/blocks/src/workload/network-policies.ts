/**
 * NetworkPolicies that make the traffic path the only path: nothing reaches a pod of the namespace
 * unless a rule below admits it. Users reach the entry; the entry reaches the first service; each
 * service reaches the services it calls; the loadtester reaches every service (conformance tests and
 * load) and Flagger's pod alone reaches the loadtester; the environment's Prometheus reaches the
 * metrics ports.
 * Pods are chosen by `app.kubernetes.io/name`, which Flagger copies to primary and canary pods alike.
 */
import type { NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { FLAGGER_POD_LABELS, prometheusNamespace, type EnvironmentProfile } from '../environment.js';
import { PODINFO } from '../podinfo.js';
import { APP_LABELS } from './labels.js';

export interface TrafficPath {
  readonly namespace: string;
  readonly profile: EnvironmentProfile;
  /** Each service and the services it calls. */
  readonly services: readonly { readonly name: string; readonly calls: readonly string[] }[];
  readonly entry: { readonly name: string; readonly upstream: string; readonly port: number };
  /** The test runner: its folder, its pods' `app.kubernetes.io/name`, its port. */
  readonly runner: { readonly folder: string; readonly workload: string; readonly port: number };
}

const byName = (names: readonly string[]) => ({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [...names].sort() }] });
const fromNamespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
const tcp = (ports: readonly number[]): NetworkPolicyPort[] => ports.map((port) => ({ protocol: 'TCP', port }));

function policy(name: string, namespace: string, selected: Record<string, string>, ingress: NetworkPolicyIngressRule[]): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: { ...APP_LABELS } },
    spec: { podSelector: { matchLabels: selected }, policyTypes: ['Ingress'], ingress },
  };
}

/** The namespace-wide default (deny every ingress), then one policy per component, keyed by its folder. */
export function networkPolicies(path: TrafficPath): { readonly folder: string; readonly policy: NetworkPolicy }[] {
  const { namespace, profile } = path;
  const scrape = { from: [fromNamespace(prometheusNamespace(profile))], ports: tcp([PODINFO.metricsPort, ...profile.meshPorts.scrape]) };
  // The proxy's metrics only, for pods whose own port serves no metrics (the entry, the loadtester).
  const meshScrape = profile.meshPorts.scrape.length > 0 ? [{ from: scrape.from, ports: tcp(profile.meshPorts.scrape) }] : [];
  const deny: NetworkPolicy = {
    ...policy('default-deny-ingress', namespace, {}, []),
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
  const services = path.services.map((service) => {
    const callers = [
      ...path.services.filter((caller) => caller.calls.includes(service.name)).map((caller) => caller.name),
      ...(path.entry.upstream === service.name ? [path.entry.name] : []),
      path.runner.workload,
    ];
    return {
      folder: service.name,
      policy: policy(service.name, namespace, { 'app.kubernetes.io/name': service.name }, [
        { from: [{ podSelector: byName(callers) }], ports: tcp([PODINFO.httpPort, ...profile.meshPorts.inbound]) },
        scrape,
      ]),
    };
  });
  return [
    { folder: '', policy: deny },
    {
      folder: path.entry.name,
      policy: policy(path.entry.name, namespace, { 'app.kubernetes.io/name': path.entry.name }, [
        // Users come from wherever the provider exposes the entry Service.
        { ports: tcp([path.entry.port, ...profile.meshPorts.inbound]) },
        ...meshScrape,
      ]),
    },
    {
      folder: path.runner.folder,
      // Its port runs any command it is sent (`bash -c`) and opens manual gates: Flagger's pod alone
      // reaches it. Nothing scrapes that port; the mesh's Prometheus scrapes the proxy's own.
      policy: policy(path.runner.workload, namespace, { 'app.kubernetes.io/name': path.runner.workload }, [
        { from: [{ ...fromNamespace(profile.flaggerNamespace), podSelector: { matchLabels: { ...FLAGGER_POD_LABELS } } }], ports: tcp([path.runner.port, ...profile.meshPorts.inbound]) },
        ...meshScrape,
      ]),
    },
    ...services,
  ];
}
