/**
 * The series each environment's Prometheus would scrape, produced from the requests the data plane
 * actually routed: podinfo's own histogram per pod (as Flagger's bundled Prometheus relabels it),
 * Istio's standard metrics from both sidecars (destination and source reports), Linkerd's proxy
 * metrics (inbound and outbound, classified). Names and labels are validate's SERIES_SHAPES, the
 * same description its promtool checks use. Every series belongs to the pod that reports it (the
 * `pod` label the meshes' Prometheus relabeling adds; podinfo's own names its pod already) and
 * counts from that pod's start, so a new canary pod's series begin at its first request, as on a
 * cluster. A scrape finds a pod's series only while the pod exists and its NetworkPolicies admit the
 * Prometheus namespace on the port that exposes them. Which exchanges reach it with a source is
 * mesh.ts's decision (no mirrored copy, no retried connect).
 */
import { SERIES_SHAPES } from '@canaryship/validate';
import type { Pod } from './state.js';

const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export interface Exchange {
  /** The caller, when it is a pod of the namespace (its proxy reports the call). */
  readonly source?: Pod;
  readonly destination: Pod;
  readonly status: number | undefined;
  readonly durationMs: number;
  readonly path: string;
  readonly method: string;
}

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

type Family = 'podinfo' | 'istio' | 'linkerd';

/** Whether a scrape reaches a pod now, per series family (the port that family is served on); false once the pod is gone. */
export type Scrapeable = (pod: Pod, family: Family) => boolean;

export interface Telemetry {
  record(exchange: Exchange): void;
  /** Prometheus' text exposition of every series so far. */
  render(): string;
}

const labelText = (labels: Readonly<Record<string, string>>): string =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

export function createTelemetry(scrapeable: Scrapeable): Telemetry {
  // Counters and histograms as the reporting pod holds them, whether or not a scrape reaches it yet.
  const counters = new Map<string, { pod: Pod; family: Family; name: string; labels: Record<string, string>; value: number }>();
  const histograms = new Map<string, { pod: Pod; family: Family; name: string; labels: Record<string, string>; h: Histogram; scale: number }>();
  const count = (pod: Pod, family: Family, name: string, labels: Record<string, string>): void => {
    const key = name + labelText(labels);
    const entry = counters.get(key) ?? { pod, family, name, labels, value: 0 };
    entry.value += 1;
    counters.set(key, entry);
  };
  const observe = (pod: Pod, family: Family, name: string, labels: Record<string, string>, ms: number, scale: number): void => {
    const key = name + labelText(labels);
    const entry = histograms.get(key) ?? { pod, family, name, labels, h: { buckets: BUCKETS_MS.map(() => 0), sum: 0, count: 0 }, scale };
    BUCKETS_MS.forEach((le, i) => (entry.h.buckets[i] = (entry.h.buckets[i] ?? 0) + (ms <= le ? 1 : 0)));
    entry.h.sum += ms;
    entry.h.count += 1;
    histograms.set(key, entry);
  };

  return {
    record({ source, destination, status, durationMs }) {
      const ns = destination.namespace;
      const code = status === undefined ? '' : String(status);
      const failed = status === undefined || status >= 500;
      const { podinfo, istio, linkerd } = SERIES_SHAPES;
      // The mesh's series carry the reporting proxy's pod, as its Prometheus's relabeling adds it.
      const at = (pod: Pod) => ({ pod: pod.name });

      // podinfo measures what it answers itself, per pod; a connection that never reached it is not counted.
      if (status !== undefined && /podinfo/.test(destination.image)) {
        observe(destination, 'podinfo', podinfo.names.duration, { ...podinfo.labels(ns, destination.name), status: code }, durationMs, 1 / 1000);
      }

      const istioCode = status === undefined ? '503' : code; // Envoy answers 503 for an upstream it could not reach
      const peers = { source_workload: source?.workload ?? 'unknown', source_workload_namespace: source?.namespace ?? 'unknown', destination_workload: destination.workload, destination_workload_namespace: ns };
      if (status !== undefined) {
        const labels = { ...istio.labels(ns, destination.workload), ...peers };
        count(destination, 'istio', istio.names.requests, { ...labels, response_code: istioCode, ...at(destination) });
        observe(destination, 'istio', istio.names.duration, { ...labels, ...at(destination) }, durationMs, 1);
      }
      if (source && istio.outbound) {
        const labels = { ...istio.outbound(source.namespace, source.workload), ...peers };
        count(source, 'istio', istio.names.requests, { ...labels, response_code: istioCode, ...at(source) });
        observe(source, 'istio', istio.names.duration, { ...labels, ...at(source) }, durationMs, 1);
      }

      const classification = { ...(status !== undefined && { status_code: code }), classification: failed ? 'failure' : 'success' };
      if (status !== undefined) {
        count(destination, 'linkerd', linkerd.names.requests, { ...linkerd.labels(ns, destination.workload), ...classification, ...at(destination) });
        observe(destination, 'linkerd', linkerd.names.duration, { ...linkerd.labels(ns, destination.workload), ...at(destination) }, durationMs, 1);
      }
      if (source && linkerd.outbound) {
        const labels = { ...linkerd.outbound(source.namespace, source.workload), dst_deployment: destination.workload, dst_namespace: ns };
        count(source, 'linkerd', linkerd.names.requests, { ...labels, ...classification, ...at(source) });
        observe(source, 'linkerd', linkerd.names.duration, { ...labels, ...at(source) }, durationMs, 1);
      }
    },
    render() {
      const lines: string[] = [];
      for (const { pod, family, name, labels, value } of counters.values()) if (scrapeable(pod, family)) lines.push(`${name}${labelText(labels)} ${value}`);
      for (const { pod, family, name, labels, h, scale } of histograms.values()) {
        if (!scrapeable(pod, family)) continue;
        BUCKETS_MS.forEach((le, i) => lines.push(`${name}_bucket${labelText({ ...labels, le: String(le * scale) })} ${h.buckets[i] ?? 0}`));
        lines.push(`${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${h.count}`);
        lines.push(`${name}_sum${labelText(labels)} ${h.sum * scale}`);
        lines.push(`${name}_count${labelText(labels)} ${h.count}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
