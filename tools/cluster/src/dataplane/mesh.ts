/**
 * The data plane of the local cluster: every request inside it goes through `send`, which does what
 * the network and the mesh would do with it, from the cluster's real objects: route it (routing.ts),
 * refuse it when a NetworkPolicy does not admit it (network-policy.ts), hand it to the pod's program
 * (workloads.ts), copy it where a route mirrors, and record what each side's proxy would report
 * (telemetry.ts). It keeps a log of every hop, by request id, for the tests to read.
 */
import type { Json } from './api.js';
import { admits, describePeer, type Peer } from './network-policy.js';
import { endpoints, route, type Mesh } from './routing.js';
import type { Pod, Snapshot } from './state.js';
import type { Telemetry } from './telemetry.js';
import { envoy, podinfo, type Answer, type PodState, type Request } from './workloads.js';

export interface Hop {
  readonly at: number;
  readonly requestId?: string;
  readonly from: string;
  /** The `host:port` addressed, and the Service the route chose. */
  readonly addressed: string;
  readonly service: string;
  readonly pod?: string;
  readonly workload?: string;
  readonly status: number | undefined;
  readonly mirrored: boolean;
  readonly refused?: string;
  readonly path: string;
}

export interface DataPlane {
  /** One request from `peer` to `url`, answered as the cluster would. */
  send(peer: Peer, method: string, url: string, headers: Readonly<Record<string, string>>, body: string): Promise<Answer>;
  readonly hops: Hop[];
  /** A pod's state (counters, fault switch), by pod name: names are never reused, so it lives as long as the pod. */
  podState(name: string): PodState;
}

/**
 * A pod template annotation that starts the pod with podinfo's fault injection on: what an operator
 * does with `POST /fault_injection/enable` on a real pod, made a property of a revision here.
 */
export const FAULT_INJECTION_ANNOTATION = 'canaryship.dev/fault-injection';

export function createDataPlane(options: { mesh: () => Mesh; snapshot: () => Snapshot; telemetry: Telemetry; random?: () => number }): DataPlane {
  const random = options.random ?? Math.random;
  const states = new Map<string, PodState>();
  const roundRobin = new Map<string, number>();
  const hops: Hop[] = [];
  const podState = (name: string): PodState => {
    let state = states.get(name);
    if (!state) {
      const pod = options.snapshot().pods.find((p) => p.name === name);
      states.set(name, (state = { requests: 0, faultInjection: pod?.annotations[FAULT_INJECTION_ANNOTATION] === 'true' }));
    }
    return state;
  };

  /**
   * One request to a Service's pods. When a pod drops the connection (a NetworkPolicy), the
   * caller's side decides: without a mesh, the one connection fails; Istio's sidecar retries a failed connect twice, each
   * time on a pod not tried yet (its default retry policy, previous_hosts), then answers 503 itself;
   * Linkerd's balancer sends only to endpoints it could connect to, and with none answers 504 after
   * its failfast timeout, counting nothing in response_total (linkerd2-proxy's outbound stack).
   */
  async function deliver(peer: Peer, request: Request, serviceName: string, port: number, addressed: string, mirrored: boolean): Promise<Answer> {
    const snapshot = options.snapshot();
    const mesh = options.mesh();
    const base = { at: Date.now(), ...(request.headers['x-request-id'] && { requestId: request.headers['x-request-id'] }), from: describePeer(peer), addressed, service: serviceName, mirrored, path: request.path };
    const target = endpoints(snapshot, serviceName, port);
    const ready = target?.pods ?? [];
    if (!target || ready.length === 0) {
      hops.push({ ...base, status: undefined, refused: 'no ready endpoint' });
      return { status: undefined, body: `dial tcp ${addressed}: connect: connection refused (no endpoints)`, headers: {} };
    }
    // A pod of the namespace calls through its proxy; Flagger, Prometheus and the outside do not.
    const proxied = 'pod' in peer && mesh !== 'none';
    const attempts = !proxied ? 1 : mesh === 'istio' ? Math.min(3, ready.length) : ready.length;
    // A mirrored copy is the caller's proxy's own request: the caller's telemetry never sees it (Istio's stats filter counts the client's request once).
    const source = 'pod' in peer && !mirrored ? { source: peer.pod } : {};
    let dropped: Pod | undefined;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const turn = roundRobin.get(serviceName) ?? 0;
      roundRobin.set(serviceName, turn + 1);
      const pod = ready[turn % ready.length]!;
      if (!admits(snapshot, peer, pod, target.targetPort)) {
        hops.push({ ...base, pod: pod.name, workload: pod.workload, status: undefined, refused: 'NetworkPolicy' });
        dropped = pod;
        continue;
      }
      const started = Date.now();
      const call = (from: Pod, method: string, url: string, headers: Record<string, string>, body: string): Promise<Answer> => send({ pod: from }, method, url, headers, body);
      const answer = /envoy/.test(pod.image) ? await envoy(snapshot, pod, request, call) : await podinfo(snapshot, pod, podState(pod.name), request, call);
      options.telemetry.record({ ...source, destination: pod, status: answer.status, durationMs: Date.now() - started, path: request.path, method: request.method });
      hops.push({ ...base, pod: pod.name, workload: pod.workload, status: answer.status });
      return answer;
    }
    if (proxied && mesh === 'linkerd') return { status: 504, body: 'service in fail-fast (no endpoint it could connect to)', headers: {} };
    // The caller's proxy (Istio's sidecar, as 503) or the caller itself reports a failed connection.
    options.telemetry.record({ ...source, destination: dropped!, status: undefined, durationMs: 0, path: request.path, method: request.method });
    if (proxied) return { status: 503, body: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure', headers: {} };
    return { status: undefined, body: `dial tcp ${dropped!.name}:${target.targetPort}: i/o timeout (a NetworkPolicy drops it)`, headers: {} };
  }

  /**
   * A request through the model. Never rejects: an error of the model itself (a bug here, not a
   * property of the app) is a hop refused as `model error`, which the tests report.
   */
  async function send(peer: Peer, method: string, url: string, headers: Readonly<Record<string, string>>, body: string): Promise<Answer> {
    try {
      return await routeAndDeliver(peer, method, url, headers, body);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      hops.push({ at: Date.now(), from: describePeer(peer), addressed: url, service: '', status: undefined, mirrored: false, refused: `model error: ${message}`, path: url });
      return { status: undefined, body: `model error: ${message}`, headers: {} };
    }
  }

  async function routeAndDeliver(peer: Peer, method: string, url: string, headers: Readonly<Record<string, string>>, body: string): Promise<Answer> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { status: undefined, body: `bad URL ${url}`, headers: {} };
    }
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const port = Number(parsed.port || 80);
    const request: Request = { method, path: parsed.pathname, headers: lower, body };
    const decision = route(options.snapshot(), options.mesh(), { host: parsed.hostname, port, headers: lower }, random);
    if (!decision) {
      hops.push({ at: Date.now(), from: describePeer(peer), addressed: parsed.host, service: '', status: undefined, mirrored: false, refused: 'no such host', path: parsed.pathname });
      return { status: undefined, body: `dial tcp: lookup ${parsed.hostname}: no such host`, headers: {} };
    }
    if (decision.mirror && random() * 100 < decision.mirror.percent) {
      // A copy, answered by the mirror and thrown away: the caller never waits for it or sees it.
      void deliver(peer, request, decision.mirror.service, port, parsed.host, true).catch((error: unknown) => {
        hops.push({ at: Date.now(), from: describePeer(peer), addressed: parsed.host, service: decision.mirror?.service ?? '', status: undefined, mirrored: true, refused: `model error: ${String(error)}`, path: parsed.pathname });
      });
    }
    const answer = await deliver(peer, request, decision.service, port, parsed.host, false);
    return { ...answer, headers: { ...answer.headers, ...decision.responseHeaders } };
  }

  return { send, hops, podState };
}

/** A pod standing for a workload's pods when a process outside the model calls on its behalf (the loadtester). */
export const podOf = (snapshot: Snapshot, workload: string): Pod | undefined => snapshot.pods.find((p) => p.workload === workload && p.ready);

export type { Json };
