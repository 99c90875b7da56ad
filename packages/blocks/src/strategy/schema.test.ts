import { describe, expect, it } from 'vitest';
import { analysisRuns, checkStrategy } from './schema.js';
import { routeMatch, strategyFields } from './analysis.js';
import { abTesting, blueGreen, cookie, header, mirrored, progressive, type RouteMatch } from './strategies.js';

const messages = (result: ReturnType<typeof checkStrategy>): string[] =>
  result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);

describe('checkStrategy', () => {
  it('accepts only blue/green on plain Kubernetes, naming what it supports', () => {
    expect(checkStrategy('kubernetes', blueGreen({ iterations: 5 })).ok).toBe(true);
    const rejected = checkStrategy('kubernetes', progressive({ stepWeight: 10, maxWeight: 50 }));
    expect(messages(rejected)).toEqual([
      'strategy.kind: "progressive" cannot run on the kubernetes environment; it supports blue-green (blue/green)',
    ]);
  });

  it('rejects mirroring where Gateway API has no percentage mirroring', () => {
    expect(checkStrategy('istio', mirrored({ iterations: 5 })).ok).toBe(true);
    expect(messages(checkStrategy('linkerd', mirrored({ iterations: 5 })))[0]).toMatch(/^strategy.kind: "blue-green-mirroring" cannot run on the linkerd/);
  });

  it('accepts cookie matches on Istio only', () => {
    const strategy = abTesting({ iterations: 5, match: [cookie('canary', 'always')] });
    expect(checkStrategy('istio', strategy).ok).toBe(true);
    expect(checkStrategy('linkerd', strategy).ok).toBe(false);
    expect(checkStrategy('linkerd', abTesting({ iterations: 5, match: [header('x-canary', { exact: 'yes' })] })).ok).toBe(true);
  });

  it('rejects two of iterations / stepWeight / stepWeights at once', () => {
    const both = { kind: 'progressive', stepWeight: 10, maxWeight: 50, stepWeights: [10, 20] };
    expect(checkStrategy('istio', both).ok).toBe(false);
    const iterationsToo = { kind: 'blue-green', iterations: 5, stepWeight: 10 };
    expect(messages(checkStrategy('istio', iterationsToo)).join()).toMatch(/stepWeight/);
  });

  it('checks weights: step within max, list increasing, all within 1..100', () => {
    expect(messages(checkStrategy('istio', { kind: 'progressive', stepWeight: 60, maxWeight: 50 }))).toEqual([
      'strategy.stepWeight: stepWeight must not exceed maxWeight',
    ]);
    expect(checkStrategy('istio', progressive({ stepWeights: [10, 30, 20] })).ok).toBe(false);
    expect(checkStrategy('istio', progressive({ stepWeight: 10, maxWeight: 120 })).ok).toBe(false);
  });

  it('keeps header values to what a shell command line can carry', () => {
    const strategy = abTesting({ iterations: 5, match: [header('x-canary', { exact: "x'; rm -rf /" })] });
    expect(messages(checkStrategy('istio', strategy))[0]).toMatch(/^strategy.match.0.exact: /);
  });

  it('holds header and cookie patterns start to end', () => {
    const ok = (m: RouteMatch): boolean => checkStrategy('istio', abTesting({ iterations: 5, match: [m] })).ok;
    expect(ok(header('x-canary', { exact: 'a.b=c/d_e-f' }))).toBe(true);
    expect(ok(cookie('canary_1', 'al.w-ays'))).toBe(true);
    for (const value of [' insider', 'insider ', 'in sider', 'a;b', "a'b", 'a\nb', '']) expect(ok(header('x-canary', { exact: value })), JSON.stringify(value)).toBe(false);
    for (const name of ['x canary', 'x-canary:', ':x', 'x\n']) expect(ok(header(name, { exact: 'a' })), JSON.stringify(name)).toBe(false);
    for (const [name, value] of [['c=1', 'v'], ['c', 'v;x=1'], ['c', 'v '], [' c', 'v']]) expect(ok(cookie(name!, value!)), `${name}=${value}`).toBe(false);
  });

  it('makes cookie matches regexes that match the cookie literally, nowhere else', () => {
    const regex = new RegExp(String(routeMatch(cookie('canary', 'a.b')).headers?.['cookie']?.regex));
    expect(regex.test('canary=a.b')).toBe(true);
    expect(regex.test('session=1; canary=a.b')).toBe(true);
    expect(regex.test('canary=a.b; session=1')).toBe(true);
    for (const text of ['canary=aXb', 'xcanary=a.b', 'canary=a.bc', 'canary=a.b.c', 'session=canary=a.b']) expect(regex.test(text), text).toBe(false);
  });
});

describe('analysisRuns', () => {
  it('follows Flagger timeline: N+1 for blue/green, N for A/B, steps to maxWeight for canary', () => {
    expect(analysisRuns(blueGreen({ iterations: 10 }))).toBe(11);
    expect(analysisRuns(abTesting({ iterations: 10, match: [header('x', { exact: 'y' })] }))).toBe(10);
    expect(analysisRuns(progressive({ stepWeight: 10, maxWeight: 50 }))).toBe(5);
    expect(analysisRuns(progressive({ stepWeight: 20, maxWeight: 50 }))).toBe(3);
    expect(analysisRuns(progressive({ stepWeights: [5, 25, 50] }))).toBe(3);
  });

  it('counts mirroring runs like blue/green', () => {
    expect(analysisRuns(mirrored({ iterations: 4 }))).toBe(5);
  });
});

describe('what a team reads when a strategy is wrong', () => {
  it('names every strategy an environment supports, in words', () => {
    expect(messages(checkStrategy('istio', { kind: 'canary-ish' }))).toEqual([
      'strategy.kind: "canary-ish" cannot run on the istio environment; it supports blue-green (blue/green), blue-green-mirroring (blue/green with traffic mirroring), progressive (progressive canary), ab-testing (A/B testing)',
    ]);
    expect(messages(checkStrategy('linkerd', 7))).toEqual(['strategy.kind: undefined cannot run on the linkerd environment; it supports blue-green (blue/green), progressive (progressive canary), ab-testing (A/B testing)']);
  });

  it('says what a header or cookie match may hold', () => {
    const match = (m: unknown): string[] => messages(checkStrategy('istio', { kind: 'ab-testing', iterations: 5, match: [m] }));
    expect(match({ on: 'header', name: 'x canary', exact: 'a' })).toEqual(['strategy.match.0.name: an HTTP header name']);
    expect(match({ on: 'header', name: 'x-canary', exact: 'a b' })).toEqual(['strategy.match.0.exact: letters, digits and _ . = / -']);
    expect(match({ on: 'header', name: 'x-canary', exact: 'a', prefix: 'b' })).toEqual(['strategy.match.0: exactly one of exact, prefix']);
    expect(match({ on: 'header', name: 'x-canary' })).toEqual(['strategy.match.0: exactly one of exact, prefix']);
    expect(match({ on: 'header', name: 'x-canary', prefix: 'in' })).toEqual([]);
    expect(match({ on: 'cookie', name: 'c=1', value: 'v' })).toEqual(['strategy.match.0.name: a cookie name']);
    expect(match({ on: 'cookie', name: 'c', value: 'v;' })).toEqual(['strategy.match.0.value: a cookie value of letters, digits and _ . -']);
  });

  it('allows a step equal to the maximum, and no repeated weight', () => {
    expect(checkStrategy('istio', progressive({ stepWeight: 50, maxWeight: 50 })).ok).toBe(true);
    expect(messages(checkStrategy('istio', progressive({ stepWeights: [10, 10, 20] })))).toEqual(['strategy.stepWeights: strictly increasing weights']);
    expect(checkStrategy('istio', progressive({ stepWeights: [10, 11, 20] })).ok).toBe(true);
  });

  it('finds cookie matches only among match entries, whatever else the value holds', () => {
    expect(messages(checkStrategy('linkerd', { kind: 'ab-testing', iterations: 5, match: [null, { on: 'cookie', name: 'c', value: 'v' }] }))).toEqual([
      'strategy.match.1: cookie matches need Istio; the linkerd environment routes on headers only',
    ]);
  });
});

describe('strategyFields', () => {
  it('mirrors all traffic unless a mirror weight is given', () => {
    expect(strategyFields(mirrored({ iterations: 5 }))).toStrictEqual({ iterations: 5, mirror: true });
    expect(strategyFields(mirrored({ iterations: 5, mirrorWeight: 30 }))).toStrictEqual({ iterations: 5, mirror: true, mirrorWeight: 30 });
  });
});

describe('session affinity', () => {
  const withCookie = (cookieName: string) => checkStrategy('linkerd', progressive({ stepWeight: 20, maxWeight: 60, sessionAffinity: { cookieName, maxAgeSeconds: 60 } }));
  it('takes a cookie name of letters, digits, _ and -, start to end, up to 64 characters', () => {
    for (const name of ['canary', 'ab_1-x', 'x'.repeat(64)]) expect(withCookie(name).ok, name).toBe(true);
    for (const name of ['', 'a;b', ';a', 'a;', 'a b', 'a=b', 'x'.repeat(65)]) expect(messages(withCookie(name)), name).toEqual(['strategy.sessionAffinity.cookieName: a cookie name of letters, digits, _ and -']);
  });
});
