import { describe, expect, it } from 'vitest';
import { DistributionError } from '../errors.js';
import { planChart } from './chart.js';
import { planCanary, type CanaryManifest } from './plan.js';
import { predictedTicks, predictedWindow, strategyOf, weightSteps, type Analysis } from './schedule.js';

const blueGreen = { interval: '10s', threshold: 2, iterations: 3 };
const ab: Analysis = { ...blueGreen, match: [{ headers: { 'x-canary': { exact: 'insider' } } }, { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } }] };
const progressive = { interval: '10s', threshold: 3, stepWeight: 20, maxWeight: 60 };
const canary = (analysis: unknown, provider = 'istio'): CanaryManifest => ({ metadata: { name: 'backend', namespace: 'webapp' }, spec: { provider, analysis } });

describe("Flagger's schedule", () => {
  it('names strategies the way Flagger infers them', () => {
    expect(strategyOf(blueGreen)).toBe('blue/green');
    expect(strategyOf({ ...blueGreen, mirror: true })).toBe('blue/green + mirroring');
    expect(strategyOf(ab)).toBe('A/B testing');
    expect(strategyOf(progressive)).toBe('progressive canary');
  });

  it('steps a progressive canary past maxWeight to the first step at or above it, capped at 100', () => {
    expect(weightSteps({ ...progressive, maxWeight: 50 })).toEqual([20, 40, 60]);
    expect(weightSteps({ ...progressive, stepWeight: 30, maxWeight: 100 })).toEqual([30, 60, 90, 100]);
    expect(weightSteps({ ...progressive, stepWeight: undefined, stepWeights: [5, 25, 50] })).toEqual([5, 25, 50]);
  });

  it('takes (N+5), (N+4), (n+4) ticks to promote; threshold+3 and +2 to roll back', () => {
    expect(predictedTicks(blueGreen, 'promote')).toBe(8);
    expect(predictedTicks(ab, 'promote')).toBe(7);
    expect(predictedTicks(progressive, 'promote')).toBe(7);
    expect(predictedTicks({ ...progressive, stepWeight: undefined, maxWeight: undefined, stepWeights: [10, 50] }, 'promote')).toBe(6);
    expect(predictedTicks(blueGreen, 'rollback')).toBe(5);
    expect(predictedTicks(progressive, 'conformance')).toBe(5);
    expect(predictedWindow({ ...blueGreen, interval: '1m' }, 'promote')).toEqual({ low: 420, high: 480 });
  });
});

describe('planCanary', () => {
  it('predicts promotion, rollback and the highest share of users a progressive canary reaches', () => {
    const plan = planCanary(canary({ ...progressive, sessionAffinity: { cookieName: 'canaryship-backend' } }));
    expect(plan).toMatchObject({ name: 'backend', strategy: 'progressive canary', promotion: { low: 60, high: 70 }, rollback: { afterFirstFailure: 30, fromApply: { low: 50, high: 60 } }, conformanceStop: { low: 40, high: 50 } });
    expect(plan.exposure.maxShare).toBe(60);
    expect(plan.exposure.who).toContain('cookie canaryship-backend');
    expect(plan.weights).toEqual([{ at: 0, weight: 0 }, { at: 20, weight: 20 }, { at: 30, weight: 40 }, { at: 40, weight: 60 }, { at: 60, weight: 0 }, { at: 70, weight: 0 }]);
  });

  it('sends everyone to a blue/green canary on a mesh for the last interval, and no user on plain Kubernetes', () => {
    expect(planCanary(canary(blueGreen)).exposure.maxShare).toBe(100);
    expect(planCanary(canary(blueGreen)).weights.map((w) => w.weight)).toEqual([0, 100, 0, 0]);
    const plain = planCanary(canary(blueGreen, 'kubernetes'));
    expect(plain.exposure).toMatchObject({ maxShare: 0, who: expect.stringContaining('only the primary') });
    expect(plain.weights.every((w) => w.weight === 0)).toBe(true);
    expect(planCanary(canary({ ...blueGreen, mirror: true })).exposure.who).toContain('copies');
  });

  it('names exactly who an A/B canary exposes', () => {
    const plan = planCanary(canary(ab));
    expect(plan.exposure.maxShare).toBe(0);
    expect(plan.exposure.matching).toEqual(['header x-canary exact "insider"', 'cookie regex "^(.*?;)?(canary=always)(;.*)?$"']);
  });

  it('refuses settings it cannot read, naming the Canary and every bad field', () => {
    const error = (() => {
      try {
        planCanary(canary({ interval: '5 minutes', threshold: 0, stepWeight: 0, stepWeights: [50, 10] }));
      } catch (e) {
        return e as DistributionError;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(DistributionError);
    expect(error.issues.map((i) => [i.object, i.path])).toEqual([
      ['Canary/backend', 'spec.analysis.interval'],
      ['Canary/backend', 'spec.analysis.threshold'],
      ['Canary/backend', 'spec.analysis.stepWeight'],
      ['Canary/backend', 'spec.analysis.stepWeights'],
    ]);
    expect(() => planCanary({ metadata: { name: 'x' }, spec: {} })).toThrow(/Canary\/x.*spec\.analysis: is missing/);
    expect(() => planCanary({ metadata: {}, spec: { analysis: progressive } })).toThrow(/metadata\.name/);
  });
});

describe('stepWeights a plan reads', () => {
  const stepped = (stepWeights: unknown) => () => planCanary(canary({ ...progressive, stepWeight: undefined, maxWeight: undefined, stepWeights }));
  it.each([
    ['an empty list', []],
    ['a weight of 0', [0, 10]],
    ['a weight above 100', [10, 101]],
    ['a weight that does not rise', [10, 10, 20]],
    ['one that falls', [20, 10]],
    ['more than a hundred steps', Array.from({ length: 101 }, (_, i) => i + 1)],
    ['not a list', '10,20'],
  ])('refuses %s', (_what, weights) => {
    expect(stepped(weights)).toThrow(/spec\.analysis\.stepWeights: must be rising percentages from 1 to 100/);
  });

  it('reads rising percentages up to 100', () => {
    expect(stepped([5, 25, 100])).not.toThrow();
    expect(stepped(Array.from({ length: 100 }, (_, i) => i + 1))).not.toThrow();
  });
});

describe('planChart', () => {
  it('draws the predicted weight, the promotion window, and a measured run over them, with text escaped', () => {
    const plan = planCanary({ ...canary(progressive), metadata: { name: 'a<b&c', namespace: 'webapp' } });
    const svg = planChart(plan, { weights: [{ at: 0, weight: 0 }, { at: 22, weight: 20 }], failedChecks: [32], verdict: { at: 55, phase: 'Failed' } });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>a&lt;b&amp;c: progressive canary (istio), interval 10s</title>');
    expect(svg).not.toContain('a<b');
    expect(svg).toMatch(/<path class="predicted" d="M48,220 H\d+(\.\d)? V184 /);
    expect(svg).toContain('class="measured"');
    expect(svg.match(/class="failed-check"/g)).toHaveLength(1);
    expect(svg).toContain('Failed at 55s');
    expect(planChart(plan)).not.toContain('class="measured"');
  });
});
