import { describe, expect, it } from 'vitest';
import { sloOfCheck, thresholdProblem } from './metrics.js';

describe('sloOfCheck: the SLO a Canary check measures, by its name there', () => {
  it.each([
    ['error-rate', 'error-rate'],
    ['average-response-time', 'average-response-time'],
    // Flagger's builtins, as the kubernetes and istio distributions name them.
    ['request-success-rate', 'success-rate'],
    ['request-duration', 'p99-response-time'],
  ])('%s measures %s', (check, slo) => {
    expect(sloOfCheck(check)).toBe(slo);
  });

  it('knows no SLO for a check it does not ship, rather than failing', () => {
    expect(sloOfCheck('latency')).toBeUndefined();
    expect(sloOfCheck('')).toBeUndefined();
  });
});

describe('thresholdProblem', () => {
  it('accepts a bound a release can both meet and miss, and says why one it cannot is useless', () => {
    expect(thresholdProblem('error-rate', { max: 1 })).toBeUndefined();
    expect(thresholdProblem('average-response-time', { max: Infinity })).toBe('max Infinity: average-response-time is 0 ms or more, so every value meets it and it would never roll a release back');
  });
});
