import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { summaryMarkdown } from './markdown.js';
import type { EnvironmentReview } from './review.js';

const review = (over: Partial<EnvironmentReview>): EnvironmentReview => ({ environment: 'istio', package: '@canaryship/env-istio', version: '1.0.0', baseline: '1.0.0', changes: [], breaking: [], bump: 'none', findings: [], unpinnedImages: [], plans: [], ...over });

describe('summaryMarkdown', () => {
  /** The summary as GitHub shows it: GitHub Flavored Markdown rendered to HTML (micromark, as remark and many renderers use). */
  const shown = (markdown: string): string => micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  /** The text of each cell of the table row whose first cell is `first`. */
  const cellsOf = (html: string, first: string): string[] => {
    const row = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!).find((r) => r.includes(`<td>${first}</td>`) || r.includes(`<td><code>${first}</code></td>`));
    return [...(row ?? '').matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!);
  };
  const unescape = (html: string): string => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

  it.each([
    ['a link and a tracking image', '[All checks passed](https://evil.example) ![](https://evil.example/pixel.png)'],
    ['HTML', '<img src=x onerror=alert(1)><script>alert(1)</script>'],
    ['a bare URL and a www name', 'see https://evil.example/a and www.evil.example'],
    ['pipes, escaped pipes and backslashes', 'a|b\\|c\\d'],
    ['backticks, leading and inside', '`x`` y `'],
    ['emphasis and a heading mark', '# **bold** _it_ ~~gone~~'],
    ['a line break', 'line\nbreak'],
  ])('shows %s from a distribution as the text it is, never as a link, image or markup', (_what, value) => {
    const html = shown(summaryMarkdown([review({ bump: 'patch', changes: [{ object: `ConfigMap/webapp/${value}`, change: 'changed', file: 'x.yaml', fields: [`data.${value}`] }], findings: [{ layer: 'policy', rule: 'policy.x', severity: 'warning', distribution: 'istio', message: value }] })]));
    const cells = [...html.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!);
    for (const cell of cells) expect(cell).not.toMatch(/<(a|img|script|strong|em|del|h\d)[\s>]/);
    const flat = value.replace(/\n/g, ' ');
    const code = (cell: string | undefined) => unescape(/^<code>([\s\S]*)<\/code>$/.exec(cell ?? '')?.[1] ?? `not code: ${cell}`).replace(/\\\\/g, '\\');
    const change = cellsOf(html, 'changed');
    expect(change).toHaveLength(4);
    expect(code(change[1])).toBe(`ConfigMap/webapp/${flat}`);
    expect(code(change[3])).toBe(`data.${flat}`);
    const finding = cellsOf(html, 'warning');
    expect(finding).toHaveLength(4);
    expect(code(finding[3])).toBe(`${flat} [policy.x]`);
  });

  it('caps changes and findings at forty rows each and says how to see the rest', () => {
    const changes = Array.from({ length: 45 }, (_, i) => ({ object: `ConfigMap/webapp/c${i}`, change: 'added' as const, file: `c${i}.yaml` }));
    const findings = Array.from({ length: 41 }, (_, i) => ({ layer: 'policy' as const, rule: 'policy.x', severity: 'warning' as const, distribution: 'istio', message: `m${i}` }));
    const text = summaryMarkdown([review({ bump: 'patch', changes, findings })]);
    expect(text.split('\n').filter((l) => l.startsWith('| `added`'))).toHaveLength(40);
    expect(text).toContain('… and 5 more (`canaryship diff` lists them all).');
    expect(text.split('\n').filter((l) => l.startsWith('| `warning`'))).toHaveLength(40);
    expect(text).toContain('… and 1 more (`canaryship validate` lists them all).');
    expect(text).toContain('**Validation:** 0 error(s), 41 warning(s)');
  });

  it('names each image release would refuse, with its object and field, and says when every one is pinned', () => {
    const use = { environment: 'istio', object: 'Deployment/webapp/api', file: 'api/deployment.yaml', field: 'spec.template.spec.containers[0].image', value: 'ghcr.io/acme/api:1.0.0' };
    const html = shown(summaryMarkdown([review({ unpinnedImages: [{ use, why: 'ghcr.io/acme/api:1.0.0 is not pinned to a digest' }] })]));
    expect(html).toContain('<strong>Images:</strong> 1 not pinned to a digest, which release refuses: run <code>canaryship pin-images</code>');
    expect(cellsOf(html, 'ghcr.io/acme/api:1.0.0 is not pinned to a digest')).toEqual(['<code>ghcr.io/acme/api:1.0.0 is not pinned to a digest</code>', '<code>Deployment/webapp/api</code>', '<code>spec.template.spec.containers[0].image</code>']);
    expect(shown(summaryMarkdown([review({})]))).toContain('<strong>Images:</strong> every one pinned to a digest');
  });

  it('says when no environment is affected', () => {
    expect(summaryMarkdown([], 'origin/main')).toBe('## What providers will receive\n\nEnvironments this change affects (Nx, since `origin/main`): none. No provider receives anything from this change.\n');
  });
});
