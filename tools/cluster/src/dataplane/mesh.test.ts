/**
 * What the caller's side of each mesh does with a connection a pod drops, and with a mirrored copy,
 * as their sources say: Istio's sidecar retries a failed connect on other pods and reports one
 * request (and never the mirror's copy) at the source; Linkerd's balancer routes around an endpoint
 * it cannot reach, and with none answers 504 without counting a response.
 */
import { describe, expect, it } from 'vitest';
import type { Json } from './api.js';
import { createDataPlane } from './mesh.js';
import type { Mesh } from './routing.js';
import { emptySnapshot, type Snapshot } from './state.js';
import { createTelemetry } from './telemetry.js';
import { testPod } from './test-pods.js';

const service = (name: string, app: string): Json => ({ metadata: { name }, spec: { selector: { app }, ports: [{ port: 9898, targetPort: 'http' }] } });
/** Ingress to the pods labelled `dropped`, from no one. */
const dropping: Json = { metadata: { name: 'drop' }, spec: { podSelector: { matchLabels: { dropped: 'yes' } }, policyTypes: ['Ingress'], ingress: [] } };

const CALLER = testPod('frontend-1', 'frontend');

/** backend's two pods, of which `droppedPods` drop every connection. */
function cluster(droppedPods: readonly string[], extra: Partial<Snapshot> = {}): Snapshot {
  const backends = ['backend-1', 'backend-2'].map((name) => testPod(name, 'backend', droppedPods.includes(name) ? { dropped: 'yes' } : {}));
  return { ...emptySnapshot('webapp'), pods: [CALLER, ...backends, testPod('backend-canary-1', 'backend-canary')], services: [service('backend', 'backend'), service('backend-canary', 'backend-canary')], networkPolicies: [dropping], ...extra };
}

async function call(mesh: Mesh, snapshot: Snapshot, times = 4) {
  const telemetry = createTelemetry(() => true);
  const plane = createDataPlane({ mesh: () => mesh, snapshot: () => snapshot, telemetry, random: () => 0 });
  const statuses: (number | undefined)[] = [];
  for (let i = 0; i < times; i += 1) statuses.push((await plane.send({ pod: CALLER }, 'GET', 'http://backend.webapp:9898/', {}, '')).status);
  await new Promise((resolve) => setTimeout(resolve, 10)); // mirrored copies are answered after the caller
  const series = telemetry.render().split('\n');
  const sum = (pattern: RegExp) => series.filter((line) => pattern.test(line)).reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
  return { statuses, hops: plane.hops, sum };
}

describe('a pod that drops connections, seen from a meshed caller', () => {
  it('Istio: the sidecar retries on another pod, so every call succeeds and the source reports each once', async () => {
    const { statuses, hops, sum } = await call('istio', cluster(['backend-2']));
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(hops.filter((h) => h.refused === 'NetworkPolicy').length).toBeGreaterThan(0);
    expect(sum(/^istio_requests_total\{reporter="source".*response_code="200"/)).toBe(4);
    expect(sum(/^istio_requests_total\{reporter="source".*response_code="503"/)).toBe(0);
  });

  it('Istio: with every pod dropping, the sidecar answers 503 after its retries, reported once at the source and never at the destination', async () => {
    const { statuses, hops, sum } = await call('istio', cluster(['backend-1', 'backend-2']), 1);
    expect(statuses).toEqual([503]);
    expect(hops.filter((h) => h.refused === 'NetworkPolicy').map((h) => h.pod).sort()).toEqual(['backend-1', 'backend-2']);
    expect(sum(/^istio_requests_total\{reporter="source".*response_code="503"/)).toBe(1);
    expect(sum(/^istio_requests_total\{reporter="destination"/)).toBe(0);
  });

  it('Linkerd: the balancer routes around the pod it cannot reach; with none, 504 and no response counted', async () => {
    expect((await call('linkerd', cluster(['backend-2']))).statuses).toEqual([200, 200, 200, 200]);
    const none = await call('linkerd', cluster(['backend-1', 'backend-2']), 1);
    expect(none.statuses).toEqual([504]);
    expect(none.sum(/^response_total\{/)).toBe(0);
  });

  it('no mesh: the one connection fails, every other call', async () => {
    expect((await call('none', cluster(['backend-2']))).statuses.filter((s) => s === undefined)).toHaveLength(2);
  });
});

describe('a mirrored copy', () => {
  it('Istio: the destination reports it, the caller’s sidecar does not', async () => {
    const mirror: Json = { spec: { hosts: ['backend'], http: [{ route: [{ destination: { host: 'backend' }, weight: 100 }], mirror: { host: 'backend-canary' }, mirrorPercentage: { value: 100 } }] } };
    const { statuses, sum } = await call('istio', cluster([], { virtualServices: [mirror] }), 2);
    expect(statuses).toEqual([200, 200]);
    expect(sum(/^istio_requests_total\{reporter="destination".*destination_workload="backend-canary"/)).toBe(2);
    expect(sum(/^istio_requests_total\{reporter="source".*destination_workload="backend-canary"/)).toBe(0);
    expect(sum(/^istio_requests_total\{reporter="source".*destination_workload="backend"/)).toBe(2);
  });
});

describe('the podinfo a pod runs', () => {
  it.each([
    ['by tag', 'ghcr.io/stefanprodan/podinfo:6.14.1'],
    ['by tag and digest, as a pinned release renders it', `ghcr.io/stefanprodan/podinfo:6.14.1@sha256:${'ab'.repeat(32)}`],
  ])('answers /version with its tag when the image is named %s', async (_, image) => {
    const snapshot: Snapshot = { ...emptySnapshot('webapp'), pods: [CALLER, { ...testPod('backend-1', 'backend'), image }], services: [service('backend', 'backend')] };
    const plane = createDataPlane({ mesh: () => 'none', snapshot: () => snapshot, telemetry: createTelemetry(() => true), random: () => 0 });
    const answer = await plane.send({ pod: CALLER }, 'GET', 'http://backend.webapp:9898/version', {}, '');
    expect(JSON.parse(answer.body)).toMatchObject({ version: '6.14.1' });
  });
});
