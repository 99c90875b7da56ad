import { describe, expect, it } from 'vitest';
import { NOTES_LIMIT, notesFor } from './release-notes.js';

const CHANGELOG = `# @canaryship/env-istio

## 0.2.0

### Minor Changes

- Istio: cap backend's canary at 30% (@canaryship/backend 0.2.0)

## 0.1.1

### Patch Changes

- Shorter upstream timeout. (@canaryship/backend 0.1.1)
`;

describe('release notes', () => {
  it("are the CHANGELOG's section for the version, and nothing of the next", () => {
    expect(notesFor(CHANGELOG, '0.2.0', 'e')).toBe("### Minor Changes\n\n- Istio: cap backend's canary at 30% (@canaryship/backend 0.2.0)");
    expect(notesFor(CHANGELOG, '0.1.1', 'e')).toBe('### Patch Changes\n\n- Shorter upstream timeout. (@canaryship/backend 0.1.1)');
  });

  it('are absent for a version the CHANGELOG does not name, or names with nothing under it', () => {
    expect(notesFor(CHANGELOG, '0.1.0', 'e')).toBeUndefined();
    expect(notesFor(CHANGELOG, '0.2', 'e')).toBeUndefined();
    expect(notesFor('## 1.0.0\n\n## 0.9.0\n- x\n', '1.0.0', 'e')).toBeUndefined();
  });

  it('stay under the limit in bytes at a line boundary, and say where the rest is', () => {
    const long = `## 3.0.0\n\n${Array.from({ length: 400 }, (_, i) => `- change ${i} of many`).join('\n')}\n`;
    const notes = notesFor(long, '3.0.0', '@canaryship/env-linkerd')!;
    expect(Buffer.byteLength(notes)).toBeLessThanOrEqual(NOTES_LIMIT);
    expect(notes).toMatch(/^- change 0 of many\n/);
    expect(notes).toMatch(/\n- change \d+ of many\n… the rest is in the CHANGELOG.md of @canaryship\/env-linkerd, under 3.0.0$/);
  });

  it('cut one long line of wide characters within the limit in bytes, never inside a character', () => {
    const notes = notesFor(`## 1.0.0\n\n- ${'金丝雀🐤'.repeat(2000)}\n`, '1.0.0', 'e')!;
    expect(Buffer.byteLength(notes)).toBeLessThanOrEqual(NOTES_LIMIT);
    expect(notes).not.toMatch(/\uFFFD/);
    expect(Buffer.from(notes).toString('utf8')).toBe(notes);
    expect(notes).toMatch(/^- 金丝雀🐤/);
  });

  it('take only a heading at the start of a line as the version', () => {
    expect(notesFor('## 2.0.0\n\n- quoted:\n  ## 1.0.0\n  not a heading\n', '1.0.0', 'e')).toBeUndefined();
  });
});
