/**
 * SLO thresholds → the `metrics` of a Canary's analysis, and the MetricTemplates they need.
 * Builtin checks are used where the provider's builtin query reads the series this environment's
 * Prometheus really holds (kubernetes, istio); with Gateway API on Linkerd the builtin would query
 * podinfo-style series that linkerd-viz's Prometheus does not scrape, so every check is a template there.
 */
import type { EnvironmentName, EnvironmentProfile } from '../environment.js';
import { FLAGGER_API_VERSION, type CanaryMetric, type MetricTemplate } from '../flagger/api.js';
import type { ServiceSpec } from '../service/input.js';
import { measuresOutbound, sloQuery, type SloMetric } from './queries.js';

/** The SLOs every service is held to; `outbound-success-rate` joins them for services that call others, where the mesh measures calls. */
export const SLO_METRICS: readonly SloMetric[] = ['success-rate', 'error-rate', 'average-response-time', 'p99-response-time'];

/** The checks one service runs in an environment. */
export const metricsOf = (environment: EnvironmentName, spec: Pick<ServiceSpec, 'config'>): SloMetric[] => [
  ...SLO_METRICS,
  ...(spec.config.calls.length > 0 && measuresOutbound(environment) ? (['outbound-success-rate'] as const) : []),
];

/** Flagger builtin that computes the same thing, per environment where it reads the right series. */
const BUILTIN: Readonly<Record<EnvironmentName, Partial<Record<SloMetric, string>>>> = {
  kubernetes: { 'success-rate': 'request-success-rate', 'p99-response-time': 'request-duration' },
  istio: { 'success-rate': 'request-success-rate', 'p99-response-time': 'request-duration' },
  linkerd: {},
};

/** MetricTemplate names an environment's distribution ships for these services. */
export const templatesFor = (environment: EnvironmentName, specs: readonly Pick<ServiceSpec, 'config'>[]): SloMetric[] =>
  [...new Set(specs.flatMap((spec) => metricsOf(environment, spec)))].filter((metric) => BUILTIN[environment][metric] === undefined);

export function metricTemplates(profile: EnvironmentProfile, namespace: string, labels: Record<string, string>, specs: readonly Pick<ServiceSpec, 'config'>[]): MetricTemplate[] {
  return templatesFor(profile.name, specs).map((metric) => ({
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
  // Points below the primary's share of successful calls: the same budget as the service's own availability.
  'outbound-success-rate': { min: -round3(100 - slo.availabilityPercent) },
});

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** What each SLO's query can return: a bound outside it can never be met, one around all of it never fails. */
export const SLO_RANGES: Readonly<Record<SloMetric, { readonly min: number; readonly max: number; readonly unit: string }>> = {
  'success-rate': { min: 0, max: 100, unit: '%' },
  'error-rate': { min: 0, max: 100, unit: '%' },
  'average-response-time': { min: 0, max: Infinity, unit: ' ms' },
  'p99-response-time': { min: 0, max: Infinity, unit: ' ms' },
  // The canary's share of successful calls minus the primary's, in points.
  'outbound-success-rate': { min: -100, max: 100, unit: ' points' },
};

/** The SLO a Canary's check measures, by the name it has there: a template's (ours), or a Flagger builtin's. */
export function sloOfCheck(name: string): SloMetric | undefined {
  if ((Object.keys(SLO_RANGES) as string[]).includes(name)) return name as SloMetric;
  for (const builtins of Object.values(BUILTIN)) {
    const found = (Object.entries(builtins) as [SloMetric, string][]).find(([, builtin]) => builtin === name);
    if (found) return found[0];
  }
  return undefined;
}

/**
 * Why bounding `metric` by `range` makes its check useless, or undefined when the check can both
 * pass and fail: a range that holds no value the query returns rolls back every release; one that
 * holds every value never rolls back any.
 */
export function thresholdProblem(metric: SloMetric, range: { readonly min?: number | undefined; readonly max?: number | undefined }): string | undefined {
  const { min = -Infinity, max = Infinity } = range;
  const domain = SLO_RANGES[metric];
  const shown = (value: number): string => `${value}${domain.unit}`;
  const bounds = [range.min !== undefined && `min ${range.min}`, range.max !== undefined && `max ${range.max}`].filter(Boolean).join(', ');
  const takes = domain.max === Infinity ? `${metric} is ${shown(domain.min)} or more` : `${metric} is ${shown(domain.min)} to ${shown(domain.max)}`;
  if (min > max) return `${bounds}: no value is at least ${min} and at most ${max}, so every release would be rolled back`;
  if (max < domain.min || min > domain.max) return `${bounds}: ${takes}, so no value meets it and every release would be rolled back`;
  if (min <= domain.min && max >= domain.max) return `${bounds}: ${takes}, so every value meets it and it would never roll a release back`;
  return undefined;
}

/**
 * Query window: the analysis interval, but at least one minute so a rate() spans several scrapes.
 */
export const metricWindow = (intervalSeconds: number): string => (intervalSeconds >= 60 ? `${Math.ceil(intervalSeconds / 60)}m` : '1m');

export function canaryMetrics(environment: EnvironmentName, spec: Pick<ServiceSpec, 'slo' | 'config'>, window: string): CanaryMetric[] {
  const limits = thresholds(spec.slo);
  return metricsOf(environment, spec).map((metric) => {
    const builtin = BUILTIN[environment][metric];
    return builtin !== undefined
      ? { name: builtin, interval: window, thresholdRange: limits[metric] }
      : // templateRef without namespace: Flagger looks the template up in the Canary's namespace,
        // so a provider overlay that moves the app to another namespace keeps the reference intact.
        { name: metric, interval: window, thresholdRange: limits[metric], templateRef: { name: metric } };
  });
}
