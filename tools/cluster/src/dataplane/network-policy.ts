/**
 * Whether a NetworkPolicy admits a connection, as the CNI plugins enforce the
 * networking.k8s.io/v1 semantics: a pod no Ingress policy selects admits everything; a selected pod
 * admits what at least one rule of one selecting policy allows (its `from` peers: pods, namespaces
 * and IP blocks; its `ports`: number or name, range, protocol). Pure, over the snapshot. The tests
 * hold it to cyclonus's engine (tools/policy-engine) on every rendered policy.
 */
import { BlockList, isIPv6 } from 'node:net';
import { selectorMatches, type LabelSelector } from '@canaryship/blocks';
import type { Json } from './api.js';
import type { Pod, Snapshot } from './state.js';

/**
 * Who connects: a pod of the app's namespace, a process standing for a pod of another namespace
 * (with that pod's labels, when a policy may select it by them: Flagger's), or the outside world.
 */
export type Peer =
  | { readonly pod: Pod }
  | { readonly namespace: string; readonly labels?: Readonly<Record<string, string>>; readonly ip?: string }
  | { readonly outside: true; readonly ip?: string };

/** The peer's address, where the model knows it. */
const ipOf = (peer: Peer): string | undefined => ('pod' in peer ? peer.pod.ip : peer.ip);

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A peer as the hops log names it. */
export const describePeer = (peer: Peer): string => ('pod' in peer ? peer.pod.name : 'namespace' in peer ? `namespace ${peer.namespace}` : 'outside');

const namespaceLabels = (snapshot: Snapshot, namespace: string): Record<string, string> => ({
  // Kubernetes labels every namespace with its own name.
  'kubernetes.io/metadata.name': namespace,
  ...(snapshot.namespaceLabels.get(namespace) ?? {}),
});

function peerMatches(snapshot: Snapshot, rule: Json, peer: Peer): boolean {
  const podSelector = rule['podSelector'] as LabelSelector | undefined;
  const nsSelector = rule['namespaceSelector'] as LabelSelector | undefined;
  // An IP block admits addresses, a pod's as well as a host's outside (where the model knows them).
  if (rule['ipBlock']) {
    const ip = ipOf(peer);
    return ip !== undefined && inBlock(rule['ipBlock'] as Json, ip);
  }
  if ('outside' in peer) return false;
  const peerNamespace = 'pod' in peer ? peer.pod.namespace : peer.namespace;
  // Without a namespaceSelector, a podSelector looks in the policy's own namespace.
  const namespaceOk = nsSelector ? selectorMatches(nsSelector, namespaceLabels(snapshot, peerNamespace)) : peerNamespace === snapshot.namespace;
  if (!namespaceOk) return false;
  if (!podSelector) return true;
  // A process of another namespace has the labels it was given, else none: only `{}` selects it then.
  return selectorMatches(podSelector, 'pod' in peer ? peer.pod.labels : (peer.labels ?? {}));
}

/** Whether `ip` is in the block's CIDR and none of its exceptions. */
function inBlock(block: Json, ip: string): boolean {
  const family = isIPv6(ip) ? 'ipv6' : 'ipv4';
  const within = (cidr: unknown): boolean => {
    const [address = '', prefix = ''] = String(cidr).split('/');
    if ((isIPv6(address) ? 'ipv6' : 'ipv4') !== family) return false;
    const list = new BlockList();
    list.addSubnet(address, Number(prefix), family);
    return list.check(ip, family);
  };
  return within(block['cidr']) && !((block['except'] ?? []) as unknown[]).some(within);
}

/** Whether a rule's port entry covers `port` over `protocol` on `destination` (by number, range or container port name). */
function portMatches(entry: Json, destination: Pod, port: number, protocol: Protocol): boolean {
  if ((entry['protocol'] ?? 'TCP') !== protocol) return false;
  const wanted = entry['port'];
  if (wanted === undefined) return true;
  if (typeof wanted === 'number') return port >= wanted && port <= Number(entry['endPort'] ?? wanted);
  return destination.ports.some((c) => c.name === wanted && c.containerPort === port);
}

export function admits(snapshot: Snapshot, peer: Peer, destination: Pod, port: number, protocol: Protocol = 'TCP'): boolean {
  const selecting = snapshot.networkPolicies.filter(
    (p) => ((p['spec']?.policyTypes ?? ['Ingress']) as string[]).includes('Ingress') && selectorMatches((p['spec']?.podSelector ?? {}) as LabelSelector, destination.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    ((policy['spec']?.ingress ?? []) as Json[]).some((rule) => {
      const from = (rule['from'] ?? []) as Json[];
      const ports = (rule['ports'] ?? []) as Json[];
      const portOk = ports.length === 0 || ports.some((p) => portMatches(p, destination, port, protocol));
      return portOk && (from.length === 0 || from.some((f) => peerMatches(snapshot, f, peer)));
    }),
  );
}
