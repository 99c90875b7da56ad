import { describe, expect, it } from 'vitest';
import { summaryMarkdown } from './markdown.js';
import type { EnvironmentReview } from './review.js';

const review = (over: Partial<EnvironmentReview>): EnvironmentReview => ({ environment: 'istio', package: '@canaryship/env-istio', version: '1.0.0', baseline: '1.0.0', changes: [], breaking: [], bump: 'none', findings: [], plans: [], ...over });

describe('summaryMarkdown', () => {
  it('keeps every value from a distribution inside its table cell', () => {
    const text = summaryMarkdown([review({ bump: 'patch', changes: [{ object: 'ConfigMap/webapp/a|b', change: 'changed', file: 'x.yaml', fields: ['data.<script>alert(1)</script>', 'line\nbreak'] }] })]);
    const row = text.split('\n').find((l) => l.startsWith('| changed'))!;
    expect(row).toBe('| changed | ConfigMap/webapp/a\\|b | x.yaml | data.&lt;script&gt;alert(1)&lt;/script&gt;, line break |');
    expect(text).not.toContain('<script>');
  });

  it('caps changes and findings at forty rows each and says how to see the rest', () => {
    const changes = Array.from({ length: 45 }, (_, i) => ({ object: `ConfigMap/webapp/c${i}`, change: 'added' as const, file: `c${i}.yaml` }));
    const findings = Array.from({ length: 41 }, (_, i) => ({ layer: 'policy' as const, rule: 'policy.x', severity: 'warning' as const, distribution: 'istio', message: `m${i}` }));
    const text = summaryMarkdown([review({ bump: 'patch', changes, findings })]);
    expect(text.split('\n').filter((l) => l.startsWith('| added'))).toHaveLength(40);
    expect(text).toContain('… and 5 more (`canaryship diff` lists them all).');
    expect(text.split('\n').filter((l) => l.startsWith('| warning'))).toHaveLength(40);
    expect(text).toContain('… and 1 more (`canaryship validate` lists them all).');
    expect(text).toContain('**Validation:** 0 error(s), 41 warning(s)');
  });

  it('says when no environment is affected', () => {
    expect(summaryMarkdown([], 'origin/main')).toBe('## What providers will receive\n\nEnvironments this change affects (Nx, since `origin/main`): none. No provider receives anything from this change.\n');
  });
});
