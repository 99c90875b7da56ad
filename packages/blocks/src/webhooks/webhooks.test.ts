import { describe, expect, it } from 'vitest';
import { durationSeconds } from '../duration.js';
import { serviceInputSchema } from '../service/input.js';
import { metricWindow } from '../slo/metrics.js';
import { abTesting, blueGreen, cookie, header, mirrored, progressive } from '../strategy/strategies.js';
import { input } from '../test-fixtures.js';
import { chainWebhook, conformanceWebhook } from './conformance.js';
import { CHECK_TIMEOUT_SECONDS } from './curl.js';
import { loadTestWebhooks } from './load-test.js';

const runner = { url: 'http://runner.ns/' };
const specWith = (checks: number) => serviceInputSchema.parse({ ...input, conformance: Array.from({ length: checks }, (_, i) => ({ name: `c${i}`, path: '/readyz' })) });

describe('webhook timeouts', () => {
  it('give the conformance test time for every check and both sides of the chain check at their full timeout', () => {
    for (const checks of [1, 2, 5, 12]) {
      const hook = conformanceWebhook(specWith(checks), 'ns', runner, 2);
      expect(hook.metadata?.cmd?.match(/--max-time 10 /g)?.length, `${checks} checks`).toBe(checks + 2);
      expect(durationSeconds(String(hook.timeout))).toBeGreaterThanOrEqual((checks + 2) * CHECK_TIMEOUT_SECONDS + checks);
    }
    expect(durationSeconds(String(chainWebhook(specWith(1), 'ns', runner, 2).timeout))).toBeGreaterThanOrEqual(2 * CHECK_TIMEOUT_SECONDS + 2);
  });
});

describe('load test webhooks', () => {
  const names = (strategy: Parameters<typeof loadTestWebhooks>[1]) => loadTestWebhooks(specWith(1), strategy, 'ns', runner, 60).map((w) => `${w.type} ${w.name}`);

  it('name each stream by what it carries, with its warm-up before the rollout', () => {
    expect(names(blueGreen({ iterations: 3 }))).toEqual(['pre-rollout load-warmup', 'rollout load-test']);
    expect(names(progressive({ stepWeight: 10, maxWeight: 50 }))).toEqual(['pre-rollout load-warmup', 'rollout load-test']);
    expect(names(mirrored({ iterations: 3 }))).toEqual(['pre-rollout load-warmup', 'rollout load-test']);
    expect(names(abTesting({ iterations: 3, match: [header('X-Canary', { exact: 'insider' }), cookie('canary', 'always')] }))).toEqual([
      'pre-rollout load-warmup-header-x-canary',
      'rollout load-test-header-x-canary',
      'pre-rollout load-warmup-cookie-canary',
      'rollout load-test-cookie-canary',
    ]);
  });
});

describe('metric windows', () => {
  it('cover one interval, at least a minute (rate() needs two scrapes)', () => {
    expect([10, 59, 60, 61, 120, 121].map(metricWindow)).toEqual(['1m', '1m', '1m', '2m', '2m', '3m']);
  });

  it('are read from durations Flagger understands, and nothing else', () => {
    expect([durationSeconds('30s'), durationSeconds('2m')]).toEqual([30, 120]);
    expect(() => durationSeconds('1h')).toThrow(new RangeError('not a duration: 1h'));
  });
});
