import { describe, expect, it } from 'vitest';
import { shortenAnalysis } from './overlay.js';
import { predictedTicks, predictedWindow, strategyOf } from './timeline.js';

describe('timeline predictions', () => {
  const blueGreen = { interval: '10s', threshold: 2, iterations: 3 };
  const ab = { ...blueGreen, match: [{ headers: { x: { exact: 'y' } } }] };
  const canary = { interval: '10s', threshold: 3, stepWeight: 20, maxWeight: 60 };

  it('names strategies the way Flagger infers them', () => {
    expect(strategyOf(blueGreen)).toBe('blue/green');
    expect(strategyOf({ ...blueGreen, mirror: true })).toBe('blue/green + mirroring');
    expect(strategyOf(ab)).toBe('A/B testing');
    expect(strategyOf(canary)).toBe('progressive canary');
  });

  it("follows Flagger's schedule: (N+5), (N+4), (n+4) ticks to promote; threshold+3 and +2 to roll back", () => {
    expect(predictedTicks(blueGreen, 'promote')).toBe(8);
    expect(predictedTicks(ab, 'promote')).toBe(7);
    expect(predictedTicks(canary, 'promote')).toBe(7);
    expect(predictedTicks({ ...canary, stepWeight: undefined, maxWeight: undefined, stepWeights: [10, 50] }, 'promote')).toBe(6);
    expect(predictedTicks(blueGreen, 'rollback')).toBe(5);
    expect(predictedTicks(canary, 'conformance')).toBe(5);
    expect(predictedWindow({ ...blueGreen, interval: '1m' }, 'promote')).toEqual({ low: 420, high: 480 });
  });
});

describe('the shortening overlay', () => {
  it('touches only the fields the strategy has', () => {
    expect(shortenAnalysis({ metadata: { name: 'a' }, spec: { analysis: { interval: '1m', iterations: 10 } } })).toEqual([
      { op: 'replace', path: '/spec/analysis/interval', value: '10s' },
      { op: 'replace', path: '/spec/analysis/iterations', value: 3 },
    ]);
    expect(shortenAnalysis({ metadata: { name: 'b' }, spec: { analysis: { interval: '1m', stepWeight: 10, maxWeight: 50 } } }).map((op) => (op as { path: string }).path)).toEqual([
      '/spec/analysis/interval',
      '/spec/analysis/stepWeight',
      '/spec/analysis/maxWeight',
    ]);
  });
});
