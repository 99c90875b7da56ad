import { describe, expect, it } from 'vitest';
import { selectorMatches, type LabelSelector } from './selectors.js';

const pod = { app: 'backend', tier: 'api' };

describe('selectorMatches, as the API server reads a selector', () => {
  it.each<[string, LabelSelector | undefined, boolean]>([
    ['no selector at all selects nothing', undefined, false],
    ['an empty selector selects everything', {}, true],
    ['matchLabels that all hold', { matchLabels: { app: 'backend', tier: 'api' } }, true],
    ['matchLabels with one other value', { matchLabels: { app: 'backend', tier: 'db' } }, false],
    ['In a set holding the value', { matchExpressions: [{ key: 'app', operator: 'In', values: ['frontend', 'backend'] }] }, true],
    ['In a set without the value', { matchExpressions: [{ key: 'app', operator: 'In', values: ['frontend'] }] }, false],
    ['In on a missing label', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn a set without the value', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['frontend'] }] }, true],
    ['NotIn a set holding the value', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['backend'] }] }, false],
    ['NotIn on a missing label', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists on a present label', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['Exists on a missing label', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist on a missing label', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist on a present label', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
    ['an operator the API does not know', { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, false],
    ['labels and expressions that all hold', { matchLabels: { app: 'backend' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['labels that hold, an expression that does not', { matchLabels: { app: 'backend' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
    ['an expression that holds, labels that do not', { matchLabels: { app: 'cache' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, false],
  ])('%s', (_, selector, selected) => {
    expect(selectorMatches(selector, pod)).toBe(selected);
  });
});
