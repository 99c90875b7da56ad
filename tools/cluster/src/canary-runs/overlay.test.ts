import { describe, expect, it } from 'vitest';
import { shortenAnalysis } from './overlay.js';

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
