/**
 * SLO thresholds → the `metrics` of a Canary's analysis, and the MetricTemplates they need.
 * Builtin checks are used where the provider's builtin query reads the series this environment's
 * Prometheus really holds (kubernetes, istio); with Gateway API on Linkerd the builtin would query
 * podinfo-style series that linkerd-viz's Prometheus does not scrape, so every check is a template there.
 */
import type { EnvironmentName, EnvironmentProfile } from '../environment.js';
import { FLAGGER_API_VERSION, type CanaryMetric, type MetricTemplate } from '../flagger/api.js';
import type { ServiceSpec } from '../service/input.js';
import { sloQuery, type SloMetric } from './queries.js';

export const SLO_METRICS: readonly SloMetric[] = ['success-rate', 'error-rate', 'average-response-time', 'p99-response-time'];

/** Flagger builtin that computes the same thing, per environment where it reads the right series. */
const BUILTIN: Readonly<Record<EnvironmentName, Partial<Record<SloMetric, string>>>> = {
  kubernetes: { 'success-rate': 'request-success-rate', 'p99-response-time': 'request-duration' },
  istio: { 'success-rate': 'request-success-rate', 'p99-response-time': 'request-duration' },
  linkerd: {},
};

/** MetricTemplate names an environment's distribution ships. */
export const templatesFor = (environment: EnvironmentName): SloMetric[] =>
  SLO_METRICS.filter((metric) => BUILTIN[environment][metric] === undefined);

export function metricTemplates(profile: EnvironmentProfile, namespace: string, labels: Record<string, string>): MetricTemplate[] {
  return templatesFor(profile.name).map((metric) => ({
    apiVersion: FLAGGER_API_VERSION,
    kind: 'MetricTemplate',
    metadata: { name: metric, namespace, labels },
    spec: {
      provider: { type: 'prometheus', address: profile.prometheusAddress },
      query: sloQuery(profile.name, metric),
    },
  }));
}

const thresholds = (slo: ServiceSpec['slo']): Readonly<Record<SloMetric, CanaryMetric['thresholdRange']>> => ({
  'success-rate': { min: slo.availabilityPercent },
  'error-rate': { max: slo.errorRatePercent },
  'average-response-time': { max: slo.averageResponseTimeMs },
  'p99-response-time': { max: slo.p99ResponseTimeMs },
});

/**
 * Query window: the analysis interval, but at least one minute so a rate() spans several scrapes.
 */
export const metricWindow = (intervalSeconds: number): string => (intervalSeconds >= 60 ? `${Math.ceil(intervalSeconds / 60)}m` : '1m');

export function canaryMetrics(environment: EnvironmentName, slo: ServiceSpec['slo'], window: string): CanaryMetric[] {
  const limits = thresholds(slo);
  return SLO_METRICS.map((metric) => {
    const builtin = BUILTIN[environment][metric];
    return builtin !== undefined
      ? { name: builtin, interval: window, thresholdRange: limits[metric] }
      : // templateRef without namespace: Flagger looks the template up in the Canary's namespace,
        // so a provider overlay that moves the app to another namespace keeps the reference intact.
        { name: metric, interval: window, thresholdRange: limits[metric], templateRef: { name: metric } };
  });
}
