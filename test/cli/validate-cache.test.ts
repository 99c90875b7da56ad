/**
 * validate keeps its findings between runs for a distribution whose files, layers and canaryship
 * build are unchanged (the built command line, as a service team runs it), says so, and checks again
 * whatever changed; run from its sources (these tests' own process) it keeps nothing.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@canaryship/cli';
import { cacheRoot } from '@canaryship/toolchain';
import { describe, expect, it } from 'vitest';
import { distDir, ROOT } from '../support/distribution.js';

const BIN = join(ROOT, 'tools/cli/bin/canaryship.js');
interface Result {
  readonly distributions: { name: string; errors: number; unchanged: boolean }[];
  readonly findings: { rule: string; file?: string }[];
}
const validate = (...args: string[]): { code: number | null; result: Result } => {
  const run = spawnSync(process.execPath, [BIN, 'validate', ...args, '--json'], { cwd: ROOT, encoding: 'utf8' });
  return { code: run.status, result: JSON.parse(run.stdout) as Result };
};
/** A provider's copy of the kubernetes distribution: a tree of its own, read as it is. */
const copyOfDistribution = (): string => {
  const dir = join(mkdtempSync(join(tmpdir(), 'canaryship-validated-')), 'kubernetes');
  cpSync(distDir('kubernetes'), dir, { recursive: true });
  return dir;
};
const kept = (): Map<string, number> => {
  const dir = join(cacheRoot(), 'validated');
  try {
    return new Map(readdirSync(dir).map((name) => [name, statSync(join(dir, name)).mtimeMs]));
  } catch {
    return new Map();
  }
};

describe('validate, run again on what it validated', () => {
  it('keeps the findings of an unchanged distribution and says so; a changed file, other layers or --no-cache check again', () => {
    const dist = copyOfDistribution();
    const first = validate(dist);
    expect([first.code, first.result.distributions]).toEqual([0, [{ name: 'kubernetes', dir: dist, errors: 0, warnings: 0, unchanged: false }]]);
    const again = validate(dist);
    expect([again.code, again.result.distributions[0]?.unchanged]).toEqual([0, true]);

    // An image by `latest` in one file: that tree is validated again, and its error kept fails every later run too.
    const file = readdirSync(dist, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('deployment.yaml'))!;
    writeFileSync(join(dist, file), readFileSync(join(dist, file), 'utf8').replace(/image: (\S+?):[^\s@]+(@\S+)?\n/, 'image: $1:latest\n'));
    const changed = validate(dist);
    expect([changed.code, changed.result.distributions[0]?.unchanged, changed.result.findings.map((f) => f.rule)]).toEqual([1, false, ['policy.image-pinned']]);
    const keptError = validate(dist);
    expect([keptError.code, keptError.result.distributions[0]?.unchanged, keptError.result.findings]).toEqual([1, true, changed.result.findings]);

    expect(validate(dist, '--layer', 'policy').result.distributions[0]?.unchanged).toBe(false);
    expect(validate(dist, '--no-cache').result.distributions[0]?.unchanged).toBe(false);
  });

  it('does not use a kept result that does not read back whole', () => {
    const dist = copyOfDistribution();
    const before = kept();
    validate(dist);
    // Ours, and any another test kept meanwhile: each rewritten under a key that is not its own.
    const written = [...kept()].filter(([name, at]) => before.get(name) !== at).map(([name]) => name);
    expect(written.length).toBeGreaterThan(0);
    for (const name of written) writeFileSync(join(cacheRoot(), 'validated', name), '{"key": "someone else\'s", "name": "kubernetes", "findings": []}\n');
    expect(validate(dist).result.distributions[0]?.unchanged).toBe(false);
  });

  it('keeps nothing when canaryship runs from its sources, which no build names', async () => {
    const dist = copyOfDistribution();
    const inProcess = async () => {
      const out: string[] = [];
      await main(['validate', dist, '--json'], { cwd: ROOT, stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => undefined } });
      return JSON.parse(out.join('')) as Result;
    };
    expect((await inProcess()).distributions[0]?.unchanged).toBe(false);
    expect((await inProcess()).distributions[0]?.unchanged).toBe(false);
  });
});
