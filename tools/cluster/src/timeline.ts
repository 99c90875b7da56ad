/**
 * What a Canary's settings predict for one release, from Flagger's scheduling (one analysis per
 * interval I; a new revision is noticed on the next tick, 0..I after it is applied):
 * - promotion: a tick to notice, one that runs the pre-rollout hooks and takes the first step, a
 *   tick per further step, then Promoting, Finalising and Succeeded on one tick each; blue/green
 *   spends one more tick routing all traffic to the canary (even on the kubernetes provider, where
 *   it only counts the iteration). So blue/green (N+5)·I, A/B (N+4)·I, progressive canary (n+4)·I
 *   with n weight steps, as shared/reference/flagger.md measured on Flagger 1.44.0;
 * - rollback after failing metrics: a tick to notice, a tick for the pre-rollout hooks, `threshold`
 *   failing analyses, then the rollback tick: (threshold+3)·I;
 * - rollback after a failing conformance test: it fails from the second tick on: (threshold+2)·I.
 * Each is given as a window of one interval, [k−1, k]·I, for the unknown detection delay.
 */
import { durationSeconds, type CanaryAnalysis } from '@canaryship/blocks';

export type StrategyName = 'blue/green' | 'blue/green + mirroring' | 'A/B testing' | 'progressive canary';
/**
 * promote: a good release of every service; rollback: a release that breaks its SLOs; conformance:
 * one whose checks fail; bad-downstream: backend calling a database that is not there (a stop by
 * its chain check); broken-dependency: a good backend while database fails for everyone (promoted:
 * not its doing).
 */
export type Scenario = 'promote' | 'rollback' | 'conformance' | 'bad-downstream' | 'broken-dependency';

/** The fields of a Canary's analysis that decide its schedule. */
export type Analysis = Pick<CanaryAnalysis, 'interval' | 'threshold' | 'iterations' | 'stepWeight' | 'maxWeight' | 'stepWeights' | 'mirror' | 'match'>;

export function strategyOf(a: Analysis): StrategyName {
  if (a.iterations !== undefined && a.match !== undefined) return 'A/B testing';
  if (a.iterations !== undefined) return a.mirror ? 'blue/green + mirroring' : 'blue/green';
  return 'progressive canary';
}

/** Ticks from applying a revision to its terminal phase. */
export function predictedTicks(a: Analysis, scenario: Scenario): number {
  if (scenario === 'rollback') return a.threshold + 3;
  if (scenario === 'conformance' || scenario === 'bad-downstream') return a.threshold + 2;
  const strategy = strategyOf(a);
  if (strategy === 'progressive canary') {
    const steps = a.stepWeights?.length ?? Math.ceil((a.maxWeight ?? 100) / (a.stepWeight ?? 100));
    return steps + 4;
  }
  return (a.iterations ?? 0) + (strategy === 'A/B testing' ? 4 : 5);
}

export function predictedWindow(a: Analysis, scenario: Scenario): { low: number; high: number } {
  const ticks = predictedTicks(a, scenario);
  const interval = durationSeconds(a.interval);
  return { low: (ticks - 1) * interval, high: ticks * interval };
}
