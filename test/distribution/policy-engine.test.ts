/**
 * The NetworkPolicies each distribution ships, read by an engine written apart from ours: cyclonus's
 * implementation of the networking.k8s.io/v1 semantics (tools/policy-engine, built from its Go
 * module by `canaryship setup`). Over every pod of the app, peers in every namespace that matters
 * (Flagger's pod and its neighbours, the mesh's, kube-system, default, a host outside), every port
 * in play and both protocols, the data-plane model's `admits()` must answer as the engine does; the
 * traffic-path tests then hold the path itself through the model.
 */
import { execFileSync } from 'node:child_process';
import { ENVIRONMENT_PROFILES, FLAGGER_POD_LABELS, PODINFO, prometheusNamespace } from '@canaryship/blocks';
import { admits, type Json, type Peer, type Pod, type Protocol, type Snapshot } from '@canaryship/cluster';
import { describe, expect, it } from 'vitest';
import { clusterOf } from '../support/cluster.js';
import { ENVIRONMENT_NAMES, type Env } from '../support/distribution.js';
import { tool } from '../support/tools.js';

const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP'];
const OUTSIDE_IP = '203.0.113.7';

/** Who may knock: every pod of the app, and processes of the namespaces around it, labelled as theirs are. */
function peersOf(env: Env, snapshot: Snapshot): [string, Peer][] {
  const profile = ENVIRONMENT_PROFILES[env];
  const process = (namespace: string, labels: Record<string, string>, host: number): Peer => ({ namespace, labels, ip: `10.244.1.${host}` });
  return [
    ...snapshot.pods.map((pod): [string, Peer] => [pod.name, { pod }]),
    ['Flagger', process(profile.flaggerNamespace, { ...FLAGGER_POD_LABELS }, 1)],
    [`another pod of ${profile.flaggerNamespace}`, process(profile.flaggerNamespace, { app: 'flagger-prometheus' }, 2)],
    ['Prometheus', process(prometheusNamespace(profile), { app: 'prometheus' }, 3)],
    ['the ingress gateway', process('istio-system', { app: 'istio-ingressgateway' }, 4)],
    ['linkerd-viz', process('linkerd-viz', { component: 'prometheus' }, 5)],
    ['kube-system', process('kube-system', { k8s_app: 'kube-dns' }, 6)],
    ['default', process('default', {}, 7)],
    ['webapp, unlabelled', process('webapp', {}, 8)],
    ['outside', { outside: true, ip: OUTSIDE_IP }],
  ];
}

/** The snapshot's pods with addresses, as the cluster gives them: IP blocks match pods too. */
const addressed = (snapshot: Snapshot): Snapshot => ({ ...snapshot, pods: snapshot.pods.map((pod, i) => ({ ...pod, ip: `10.244.0.${i + 1}` })) });

/** Every port a policy could open or leave shut: the app's container ports, the meshes', and some no one uses. */
const portsOf = (snapshot: Snapshot): number[] => {
  const mesh = Object.values(ENVIRONMENT_PROFILES).flatMap((p) => [...p.meshPorts.inbound, ...p.meshPorts.scrape]);
  return [...new Set([...snapshot.pods.flatMap((p) => p.ports.map((c) => c.containerPort)), ...mesh, PODINFO.httpPort, PODINFO.metricsPort, 53, 80, 443, 8080, 9999])].sort((a, b) => a - b);
};

interface EnginePeer {
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  podLabels?: Record<string, string>;
  ip?: string;
}

const enginePeer = (snapshot: Snapshot, peer: Peer): EnginePeer => {
  const namespaceLabels = (namespace: string) => ({ 'kubernetes.io/metadata.name': namespace, ...(snapshot.namespaceLabels.get(namespace) ?? {}) });
  if ('outside' in peer) return { ip: peer.ip ?? '' };
  if ('pod' in peer) return { namespace: peer.pod.namespace, namespaceLabels: namespaceLabels(peer.pod.namespace), podLabels: { ...peer.pod.labels }, ip: peer.pod.ip ?? '' };
  return { namespace: peer.namespace, namespaceLabels: namespaceLabels(peer.namespace), podLabels: { ...(peer.labels ?? {}) }, ip: peer.ip ?? '' };
};

async function engine(policies: readonly Json[], queries: readonly object[]): Promise<boolean[]> {
  const output = execFileSync(await tool('policy-engine'), [], { input: JSON.stringify({ policies, queries }), encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(output) as boolean[];
}

describe.each(ENVIRONMENT_NAMES)('%s: the shipped NetworkPolicies, as an independent engine reads them', (env) => {
  it('admit exactly what the data-plane model admits, for every pod, peer, port and protocol', async () => {
    const snapshot = addressed(clusterOf(env));
    const peers = peersOf(env, snapshot);
    const cases: { destination: Pod; peer: string; port: number; protocol: Protocol; model: boolean }[] = [];
    const queries: object[] = [];
    for (const destination of snapshot.pods) {
      for (const [name, peer] of peers) {
        for (const port of portsOf(snapshot)) {
          for (const protocol of PROTOCOLS) {
            cases.push({ destination, peer: name, port, protocol, model: admits(snapshot, peer, destination, port, protocol) });
            queries.push({ source: enginePeer(snapshot, peer), destination: enginePeer(snapshot, { pod: destination }), port, portName: destination.ports.find((p) => p.containerPort === port)?.name ?? '', protocol });
          }
        }
      }
    }
    const verdicts = await engine(snapshot.networkPolicies, queries);
    expect(verdicts).toHaveLength(cases.length);
    const disagreements = cases.flatMap((c, i) => (c.model === verdicts[i] ? [] : [`${c.peer} → ${c.destination.name}:${c.port}/${c.protocol}: model ${c.model}, engine ${verdicts[i]}`]));
    expect(disagreements).toEqual([]);
    // Both answers carry weight: the policies admit some of it and refuse most of it, and nothing over UDP.
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(50);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(verdicts.length / 2);
    expect(cases.filter((c, i) => c.protocol === 'UDP' && verdicts[i])).toEqual([]);
  });
});

describe('the model and the engine agree on what the shipped policies never use', () => {
  const pod = (name: string, labels: Record<string, string>, ip: string): Pod => ({ name, namespace: 'webapp', labels, annotations: {}, workload: name, configMaps: [], ports: [{ name: 'http', containerPort: 9898 }], image: 'podinfo', ready: true, ip });
  const api = pod('api', { app: 'api' }, '10.244.0.1');
  const web = pod('web', { app: 'web' }, '10.244.0.2');
  const rules: [string, Json][] = [
    ['UDP only', { ports: [{ protocol: 'UDP', port: 9898 }] }],
    ['a port range', { ports: [{ protocol: 'TCP', port: 9000, endPort: 9900 }] }],
    ['a range that stops short', { ports: [{ protocol: 'TCP', port: 9000, endPort: 9897 }] }],
    ['every port of a protocol', { ports: [{ protocol: 'TCP' }] }],
    ['a named port', { ports: [{ port: 'http' }] }],
    ['an IP block of everything', { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    ['an IP block with the outside host excepted', { from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.7/32'] } }] }],
    ['an IP block of the pod network', { from: [{ ipBlock: { cidr: '10.244.0.0/24' } }] }],
    ['a namespace by label with a pod selector', { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } }] }],
    ['every pod of every namespace', { from: [{ namespaceSelector: {} }] }],
  ];

  it.each(rules)('%s', async (_name, rule) => {
    const snapshot: Snapshot = { ...clusterOf('kubernetes'), pods: [api, web], networkPolicies: [{ metadata: { name: 'p', namespace: 'webapp' }, spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [rule] } }] };
    const peers: Peer[] = [{ pod: web }, { namespace: 'default', labels: { app: 'x' }, ip: '10.244.1.1' }, { namespace: 'default', labels: { app: 'web' }, ip: '10.244.1.2' }, { outside: true, ip: OUTSIDE_IP }, { outside: true, ip: '198.51.100.1' }];
    const queries = peers.flatMap((peer) => [9898, 9899, 8080].flatMap((port) => PROTOCOLS.map((protocol) => ({ peer, port, protocol }))));
    const verdicts = await engine(snapshot.networkPolicies, queries.map((q) => ({ source: enginePeer(snapshot, q.peer), destination: enginePeer(snapshot, { pod: api }), port: q.port, portName: q.port === 9898 ? 'http' : '', protocol: q.protocol })));
    expect(queries.map((q) => admits(snapshot, q.peer, api, q.port, q.protocol))).toEqual(verdicts);
  });
});
