/**
 * Whether a NetworkPolicy admits a connection, as the CNI plugins enforce the
 * networking.k8s.io/v1 semantics: a pod no Ingress policy selects admits everything; a selected pod
 * admits what at least one rule of one selecting policy allows (its `from` peers and its `ports`).
 * Pure, over the snapshot; IP blocks are not modelled (our policies use none).
 */
import { selectorMatches, type LabelSelector } from '@canaryship/blocks';
import type { Json } from './api.js';
import type { Pod, Snapshot } from './state.js';

/**
 * Who connects: a pod of the app's namespace, a process standing for a pod of another namespace
 * (with that pod's labels, when a policy may select it by them: Flagger's), or the outside world.
 */
export type Peer = { readonly pod: Pod } | { readonly namespace: string; readonly labels?: Readonly<Record<string, string>> } | { readonly outside: true };

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
  if (rule['ipBlock']) return false;
  if ('outside' in peer) return false;
  const peerNamespace = 'pod' in peer ? peer.pod.namespace : peer.namespace;
  // Without a namespaceSelector, a podSelector looks in the policy's own namespace.
  const namespaceOk = nsSelector ? selectorMatches(nsSelector, namespaceLabels(snapshot, peerNamespace)) : peerNamespace === snapshot.namespace;
  if (!namespaceOk) return false;
  if (!podSelector) return true;
  // A process of another namespace has the labels it was given, else none: only `{}` selects it then.
  return selectorMatches(podSelector, 'pod' in peer ? peer.pod.labels : (peer.labels ?? {}));
}

export function admits(snapshot: Snapshot, peer: Peer, destination: Pod, port: number): boolean {
  const selecting = snapshot.networkPolicies.filter(
    (p) => ((p['spec']?.policyTypes ?? ['Ingress']) as string[]).includes('Ingress') && selectorMatches((p['spec']?.podSelector ?? {}) as LabelSelector, destination.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    ((policy['spec']?.ingress ?? []) as Json[]).some((rule) => {
      const from = (rule['from'] ?? []) as Json[];
      const ports = (rule['ports'] ?? []) as Json[];
      const portOk = ports.length === 0 || ports.some((p) => p['port'] === undefined || Number(p['port']) === port || destination.ports.some((c) => c.name === p['port'] && c.containerPort === port));
      return portOk && (from.length === 0 || from.some((f) => peerMatches(snapshot, f, peer)));
    }),
  );
}
