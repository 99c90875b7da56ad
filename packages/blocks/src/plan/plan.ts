/**
 * `canaryship plan`'s model: for one Canary as it will be applied (a provider's patches included),
 * how long a good release takes to be promoted, how soon a bad one is rolled back, and who is
 * exposed to the new version on the way, with the predicted canary weight over time for the chart.
 */
import { DURATION_PATTERN, durationSeconds } from '../duration.js';
import { DistributionError, type Issue } from '../errors.js';
import type { HttpMatchRequest } from '../flagger/api.js';
import { predictedTicks, predictedWindow, strategyOf, weightSteps, type Analysis, type StrategyName, type Window } from './schedule.js';

/** A Canary as read back from YAML: nothing in it is trusted until `planCanary` has checked it. */
export interface CanaryManifest {
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
  readonly spec?: { readonly provider?: unknown; readonly analysis?: unknown };
}

/** One point of the predicted route weight: from `at` seconds after the apply, until the next point. */
export interface WeightPoint {
  readonly at: number;
  /** Percent of requests the canary answers: of users matching no rule, or for A/B of those matching. */
  readonly weight: number;
}

export interface Exposure {
  /** The highest share of users matching no rule who are answered by the canary, in percent. */
  readonly maxShare: number;
  /** Who is exposed, in words. */
  readonly who: string;
  /** A/B: the requests routed to the canary; nobody else is. */
  readonly matching?: readonly string[];
}

export interface CanaryPlan {
  readonly name: string;
  readonly namespace: string;
  readonly provider: string;
  readonly strategy: StrategyName;
  readonly intervalSeconds: number;
  readonly threshold: number;
  /** From the apply to Succeeded, every check passing. */
  readonly promotion: Window;
  /** A release that breaks its SLOs: rolled back this long after the first failing check, and this long after the apply. */
  readonly rollback: { readonly afterFirstFailure: number; readonly fromApply: Window };
  /** A release whose conformance checks fail: stopped before any traffic moves. */
  readonly conformanceStop: Window;
  readonly exposure: Exposure;
  /** The predicted weight, the revision noticed as late as it can be (the late edge of every window). */
  readonly weights: readonly WeightPoint[];
}

const isWeight = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 10_000;

/** The analysis fields the schedule reads, checked: each problem names the Canary and the field. */
function checkedAnalysis(object: string, raw: unknown): Analysis {
  const issues: Issue[] = [];
  const fail = (path: string, message: string) => issues.push({ code: 'plan.invalid', object, path: `spec.analysis${path && `.${path}`}`, message });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail('', 'is missing or not an object');
    throw new DistributionError(issues);
  }
  const a = raw as Record<string, unknown>;
  if (typeof a['interval'] !== 'string' || !DURATION_PATTERN.test(a['interval'])) fail('interval', `must be whole seconds or minutes (10s, 1m), got ${JSON.stringify(a['interval'])}`);
  if (!isCount(a['threshold'])) fail('threshold', `must be a whole number from 1, got ${JSON.stringify(a['threshold'])}`);
  if (a['iterations'] !== undefined && !isCount(a['iterations'])) fail('iterations', `must be a whole number from 1, got ${JSON.stringify(a['iterations'])}`);
  for (const field of ['stepWeight', 'maxWeight'] as const) if (a[field] !== undefined && !isWeight(a[field])) fail(field, `must be a percentage from 1 to 100, got ${JSON.stringify(a[field])}`);
  const stepWeights = a['stepWeights'];
  if (stepWeights !== undefined && !(Array.isArray(stepWeights) && stepWeights.length > 0 && stepWeights.length <= 100 && stepWeights.every(isWeight) && stepWeights.every((w: number, i) => i === 0 || w > (stepWeights[i - 1] as number)))) {
    fail('stepWeights', 'must be rising percentages from 1 to 100');
  }
  if (a['iterations'] === undefined && a['stepWeight'] === undefined && stepWeights === undefined) fail('', 'sets neither iterations (blue/green, A/B) nor stepWeight or stepWeights (progressive canary)');
  if (a['match'] !== undefined && !Array.isArray(a['match'])) fail('match', 'must be a list of match conditions');
  if (issues.length > 0) throw new DistributionError(issues);
  return a as unknown as Analysis;
}

/** One A/B match condition in words: `header x-canary exact "insider"`. */
function describeMatch(match: HttpMatchRequest): string {
  const headers = Object.entries(match.headers ?? {}).map(([name, m]) => {
    const [how, value] = Object.entries(m as Record<string, unknown>)[0] ?? ['any', ''];
    return `${name === 'cookie' ? 'cookie' : `header ${name}`} ${how} ${JSON.stringify(value)}`;
  });
  return headers.join(' and ') || 'every request';
}

function exposureOf(strategy: StrategyName, analysis: Analysis, meshRouted: boolean, sessionCookie: string | undefined): Exposure {
  if (!meshRouted) return { maxShare: 0, who: 'no user: the Service selects only the primary; the load tests alone reach the canary' };
  switch (strategy) {
    case 'progressive canary': {
      const max = Math.max(...weightSteps(analysis));
      return { maxShare: max, who: `up to ${max}% of users, each request drawn at the weight${sessionCookie ? `; a user the canary answered stays on it (cookie ${sessionCookie})` : ''}` };
    }
    case 'A/B testing': {
      const matching = (analysis.match ?? []).map(describeMatch);
      return { maxShare: 0, who: `only requests matching ${matching.join(', or ')}`, matching };
    }
    case 'blue/green + mirroring':
      return { maxShare: 100, who: 'nobody while mirrored (the canary answers copies); everyone for the last interval before promotion' };
    case 'blue/green':
      return { maxShare: 100, who: 'everyone, for the last interval before promotion' };
  }
}

/** The route weight over a promotion, tick by tick (see schedule.ts for the ticks). */
function weightsOf(strategy: StrategyName, analysis: Analysis, meshRouted: boolean, interval: number): WeightPoint[] {
  const at = (tick: number, weight: number): WeightPoint => ({ at: tick * interval, weight });
  const done = predictedTicks(analysis, 'promote');
  if (!meshRouted) return [at(0, 0), at(done, 0)];
  if (strategy === 'progressive canary') {
    const steps = weightSteps(analysis);
    // Steps from the second tick, held while Promoting, back to the primary when Finalising.
    return [at(0, 0), ...steps.map((w, i) => at(i + 2, w)), at(steps.length + 3, 0), at(done, 0)];
  }
  const iterations = analysis.iterations ?? 0;
  // A/B: the matching requests go to the canary from the second tick until Finalising.
  if (strategy === 'A/B testing') return [at(0, 0), at(2, 100), at(iterations + 3, 0), at(done, 0)];
  // Blue/green: everyone for the tick after the last iteration and while Promoting.
  return [at(0, 0), at(iterations + 2, 100), at(iterations + 4, 0), at(done, 0)];
}

/** The plan of one Canary; a DistributionError naming the Canary and field when its settings cannot be read. */
export function planCanary(canary: CanaryManifest): CanaryPlan {
  const name = typeof canary.metadata?.name === 'string' ? canary.metadata.name : '';
  const namespace = typeof canary.metadata?.namespace === 'string' ? canary.metadata.namespace : 'default';
  const object = `Canary/${name || '(unnamed)'}`;
  if (!name) throw new DistributionError([{ code: 'plan.invalid', object, path: 'metadata.name', message: 'is missing' }]);
  const analysis = checkedAnalysis(object, canary.spec?.analysis);
  // Flagger's default provider is its own -mesh-provider; every Canary we ship names one.
  const provider = typeof canary.spec?.provider === 'string' ? canary.spec.provider : 'kubernetes';
  const meshRouted = provider !== 'kubernetes';
  const strategy = strategyOf(analysis);
  const interval = durationSeconds(analysis.interval);
  const sessionCookie = typeof analysis.sessionAffinity?.cookieName === 'string' ? analysis.sessionAffinity.cookieName : undefined;
  return {
    name,
    namespace,
    provider,
    strategy,
    intervalSeconds: interval,
    threshold: analysis.threshold,
    promotion: predictedWindow(analysis, 'promote'),
    rollback: { afterFirstFailure: analysis.threshold * interval, fromApply: predictedWindow(analysis, 'rollback') },
    conformanceStop: predictedWindow(analysis, 'conformance'),
    exposure: exposureOf(strategy, analysis, meshRouted, sessionCookie),
    weights: weightsOf(strategy, analysis, meshRouted, interval),
  };
}
