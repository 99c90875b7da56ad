import { describe, expect, it } from 'vitest';
import { noValueAllowance, shortenAnalysis } from './overlay.js';

describe('the shortening overlay', () => {
  it('touches only the fields the strategy has', () => {
    expect(shortenAnalysis({ metadata: { name: 'a' }, spec: { analysis: { interval: '1m', iterations: 10 } } }, 15)).toEqual([
      { op: 'replace', path: '/spec/analysis/interval', value: '10s' },
      { op: 'replace', path: '/spec/analysis/iterations', value: 3 },
    ]);
    expect(shortenAnalysis({ metadata: { name: 'b' }, spec: { analysis: { interval: '1m', stepWeight: 10, maxWeight: 50 } } }, 15).map((op) => (op as { path: string }).path)).toEqual([
      '/spec/analysis/interval',
      '/spec/analysis/stepWeight',
      '/spec/analysis/maxWeight',
    ]);
  });

  it('grows the threshold by the checks that find no values before two scrapes have seen a new canary', () => {
    // 10s checks: a 5s scrape has two samples by the first check, one more for an early tick; 15s needs three ticks.
    expect([5, 10, 15, 30].map(noValueAllowance)).toEqual([1, 2, 3, 6]);
    const threshold = (scrape: number) => (shortenAnalysis({ metadata: { name: 'c' }, spec: { analysis: { interval: '1m', threshold: 2, iterations: 5 } } }, scrape).find((op) => (op as { path: string }).path === '/spec/analysis/threshold') as { value: number }).value;
    expect([threshold(5), threshold(10), threshold(15)]).toEqual([3, 4, 5]);
  });
});
