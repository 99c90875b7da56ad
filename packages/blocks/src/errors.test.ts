import { describe, expect, it } from 'vitest';
import { CanaryshipError, DistributionError, formatIssue } from './errors.js';

describe('errors a user can act on', () => {
  it('formats an issue with every place it names, in order, and only those', () => {
    expect(formatIssue({ code: 'x.y', service: 's', environment: 'e', object: 'Canary/s', path: 'spec.a', message: 'm' })).toBe('service s, environment e, object Canary/s, field spec.a: m [x.y]');
    expect(formatIssue({ code: 'x.y', object: 'Canary/s', path: '', message: 'm' })).toBe('object Canary/s: m [x.y]');
  });

  it('counts the problems of a DistributionError and lists each on its own line', () => {
    const one = new DistributionError([{ code: 'a', path: 'p', message: 'm' }]);
    expect(one.message).toBe('1 problem found:\n  - field p: m [a]');
    const two = new DistributionError([{ code: 'a', path: 'p', message: 'm' }, { code: 'b', service: 's', path: 'q', message: 'n' }]);
    expect(two.message).toBe('2 problems found:\n  - field p: m [a]\n  - service s, field q: n [b]');
    expect([two.name, two.code, two.exitCode]).toEqual(['DistributionError', 'distribution.invalid', 1]);
    expect(two).toBeInstanceOf(CanaryshipError);
  });

  it('exits 1 unless told otherwise, and keeps its cause only when given one', () => {
    const plain = new CanaryshipError('m', { code: 'c' });
    expect([plain.name, plain.exitCode, plain.hint, 'cause' in plain]).toEqual(['CanaryshipError', 1, undefined, false]);
    const cause = new Error('root');
    const usage = new CanaryshipError('m', { code: 'c', exitCode: 2, hint: 'h', cause });
    expect([usage.exitCode, usage.hint, usage.cause]).toEqual([2, 'h', cause]);
  });
});
