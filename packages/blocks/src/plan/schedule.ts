/**
 * What a Canary's settings predict for a release, from Flagger's schedule as measured on Flagger
 * 1.44.0 (shared/reference/flagger.md): one analysis per interval I, a new revision noticed on
 * the next tick (0..I after it is applied), then:
 * - promotion: a tick to notice, one that runs the pre-rollout hooks and takes the first step, a
 *   tick per further step, then Promoting, Finalising and Succeeded on one tick each; blue/green
 *   spends one more tick routing all traffic to the canary (even on the kubernetes provider, where
 *   it only counts the iteration). So blue/green (N+5)·I, A/B (N+4)·I, progressive canary (n+4)·I
 *   with n weight steps;
 * - rollback after failing metrics: a tick to notice, a tick for the pre-rollout hooks, `threshold`
 *   failing analyses, then the rollback tick: (threshold+3)·I, threshold·I after the first failure;
 * - rollback after a failing conformance test: it fails from the second tick on: (threshold+2)·I.
 * Each time from the apply is a window one interval wide, [k−1, k]·I, for the unknown detection delay.
 */
import { durationSeconds } from '../duration.js';
import type { CanaryAnalysis } from '../flagger/api.js';

export type StrategyName = 'blue/green' | 'blue/green + mirroring' | 'A/B testing' | 'progressive canary';

/**
 * promote: a good release; rollback: one that breaks its SLOs; conformance: one whose checks fail;
 * bad-downstream: one calling a dependency that is not there (stopped by its chain check, a
 * conformance check); broken-dependency: a good release while a dependency fails for everyone
 * (promoted: not its doing).
 */
export type Scenario = 'promote' | 'rollback' | 'conformance' | 'bad-downstream' | 'broken-dependency';

/** The fields of a Canary's analysis that decide its schedule and who it exposes. */
export type Analysis = Pick<CanaryAnalysis, 'interval' | 'threshold' | 'iterations' | 'stepWeight' | 'maxWeight' | 'stepWeights' | 'mirror' | 'match' | 'sessionAffinity'>;

/** Seconds from one time to another: the unknown detection delay makes every prediction a window. */
export interface Window {
  readonly low: number;
  readonly high: number;
}

/** The strategy Flagger infers from the analysis fields. */
export function strategyOf(a: Analysis): StrategyName {
  if (a.iterations !== undefined && a.match !== undefined) return 'A/B testing';
  if (a.iterations !== undefined) return a.mirror ? 'blue/green + mirroring' : 'blue/green';
  return 'progressive canary';
}

/**
 * The canary weights a progressive canary steps through: `stepWeights` as given, or `stepWeight`
 * added until `maxWeight` is reached; Flagger caps a step at 100, not at maxWeight (20, 40, 60 for
 * a maxWeight of 50).
 */
export function weightSteps(a: Analysis): number[] {
  if (a.stepWeights?.length) return [...a.stepWeights];
  const step = Math.max(1, a.stepWeight ?? 100);
  const max = a.maxWeight ?? 100;
  const steps: number[] = [];
  for (let weight = step; steps.length === 0 || steps.at(-1)! < max; weight += step) steps.push(Math.min(weight, 100));
  return steps;
}

/** Ticks from applying a revision to its terminal phase. */
export function predictedTicks(a: Analysis, scenario: Scenario): number {
  if (scenario === 'rollback') return a.threshold + 3;
  if (scenario === 'conformance' || scenario === 'bad-downstream') return a.threshold + 2;
  const strategy = strategyOf(a);
  if (strategy === 'progressive canary') return weightSteps(a).length + 4;
  return (a.iterations ?? 0) + (strategy === 'A/B testing' ? 4 : 5);
}

export function predictedWindow(a: Analysis, scenario: Scenario): Window {
  const ticks = predictedTicks(a, scenario);
  const interval = durationSeconds(a.interval);
  return { low: (ticks - 1) * interval, high: ticks * interval };
}
