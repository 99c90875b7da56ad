/**
 * What a scrape finds, as on a cluster: each pod reports its own series from its first request on,
 * and a scrape sees them only while the pod exists and may be reached. A new canary pod therefore
 * starts without history, whatever its workload served before: what makes Flagger's first checks
 * of a release find "no values" until two scrapes have seen it.
 */
import { describe, expect, it } from 'vitest';
import type { Pod } from './state.js';
import { createTelemetry } from './telemetry.js';
import { testPod } from './test-pods.js';


const CALLER = testPod('frontend-7d9c8-a1', 'frontend');
const call = (destination: Pod, status = 200) => ({ source: CALLER, destination, status, durationMs: 5, path: '/', method: 'GET' });

/** The value of every rendered series whose text matches `pattern`, by series. */
const values = (text: string, pattern: RegExp): string[] => text.split('\n').filter((line) => pattern.test(line));

describe('telemetry as a scrape finds it', () => {
  it("gives a workload's new pod series of its own, starting at its first request (Istio, both reporters)", () => {
    const live = new Set(['frontend-7d9c8-a1', 'backend-5f6d7-b1']);
    const telemetry = createTelemetry((p) => live.has(p.name));
    const first = testPod('backend-5f6d7-b1', 'backend');
    for (let i = 0; i < 3; i += 1) telemetry.record(call(first));
    // The release's new pod replaces the old one.
    live.delete(first.name);
    const second = testPod('backend-9a8b7-c2', 'backend');
    live.add(second.name);
    telemetry.record(call(second));
    const destination = values(telemetry.render(), /^istio_requests_total\{reporter="destination"/);
    expect(destination).toEqual([expect.stringMatching(/destination_workload="backend".*pod="backend-9a8b7-c2"\} 1$/)]);
    // The caller's sidecar reports under the caller's pod: one series per destination workload, counting on.
    expect(values(telemetry.render(), /^istio_requests_total\{reporter="source"/)).toEqual([expect.stringMatching(/pod="frontend-7d9c8-a1"\} 4$/)]);
  });

  it('shows a pod only while a scrape may reach it, with what it counted meanwhile (Linkerd inbound)', () => {
    let reachable = false;
    const backend = testPod('backend-5f6d7-b1', 'backend');
    const telemetry = createTelemetry((p) => p.name !== backend.name || reachable);
    telemetry.record(call(backend));
    telemetry.record(call(backend, 503));
    expect(values(telemetry.render(), /^response_total\{direction="inbound"/)).toEqual([]);
    reachable = true;
    expect(values(telemetry.render(), /^response_total\{direction="inbound"/)).toEqual([
      expect.stringMatching(/status_code="200",classification="success",pod="backend-5f6d7-b1"\} 1$/),
      expect.stringMatching(/status_code="503",classification="failure",pod="backend-5f6d7-b1"\} 1$/),
    ]);
  });

  it("names podinfo's own series by the pod that answered, and counts no connection it never saw", () => {
    const backend = testPod('backend-5f6d7-b1', 'backend');
    const telemetry = createTelemetry(() => true);
    telemetry.record(call(backend));
    telemetry.record({ ...call(backend), status: undefined });
    expect(values(telemetry.render(), /^http_request_duration_seconds_count/)).toEqual([expect.stringMatching(/kubernetes_pod_name="backend-5f6d7-b1".*\} 1$/)]);
  });
});
