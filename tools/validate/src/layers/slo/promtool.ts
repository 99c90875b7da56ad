/** Runs Prometheus' own promtool on generated rule and test files; PROMTOOL overrides the binary. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, toolPath, ToolFailed } from '@canaryship/toolchain';
import { stringify } from 'yaml';

/** promtool writes each file's header to stdout and its failures to stderr: merged in one pipe they stay in order. */
async function invoke(args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  const promtool = await toolPath('promtool');
  try {
    const { stdout, stderr } = await run('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', promtool, ...args], { cwd });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    if (!(error instanceof ToolFailed) || typeof error.exit !== 'number') throw error;
    return { ok: false, output: error.output };
  }
}

export async function withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'canaryship-promtool-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Syntax of each expression; returns the parse error per index. One group per expression maps errors back. */
export async function checkExpressions(dir: string, expressions: readonly string[]): Promise<Map<number, string>> {
  const errors = new Map<number, string>();
  if (expressions.length === 0) return errors;
  const groups = expressions.map((expr, i) => ({ name: `q${i}`, rules: [{ record: `canaryship:check:q${i}`, expr }] }));
  await writeFile(join(dir, 'rules.yaml'), stringify({ groups }, { lineWidth: 0 }));
  const { ok, output } = await invoke(['check', 'rules', 'rules.yaml'], dir);
  if (ok) return errors;
  for (const line of output.split('\n')) {
    const match = /group "q(\d+)", rule \d+, "[^"]*": (.*)$/.exec(line);
    if (match) errors.set(Number(match[1]), match[2] ?? line);
  }
  if (errors.size === 0) errors.set(-1, output.trim());
  return errors;
}

export interface UnitTest {
  readonly file: string;
  readonly tests: readonly unknown[];
}

/** One expectation promtool found unmet: the expression as written, what was expected, what came. */
export interface UnmetExpectation {
  readonly expr: string;
  readonly exp: string;
  readonly got: string;
}

/**
 * Runs promtool unit tests in one process; returns every unmet expectation, by expression. An
 * output that names no expression (promtool could not run the files) is returned as one entry
 * with an empty expression, so the caller reports it rather than passing.
 */
export async function runUnitTests(dir: string, units: readonly UnitTest[]): Promise<UnmetExpectation[]> {
  if (units.length === 0) return [];
  for (const unit of units) {
    await writeFile(join(dir, unit.file), stringify({ rule_files: [], evaluation_interval: '15s', tests: unit.tests }, { lineWidth: 0 }));
  }
  const { ok, output } = await invoke(['test', 'rules', ...units.map((u) => u.file)], dir);
  if (ok) return [];
  // Each unmet expectation: `expr: "<Go-quoted>", time: 5m,` then `exp: ...` and `got: ...` lines.
  const unmet = [...output.matchAll(/expr: ("(?:[^"\\]|\\.)*"), time: [^\n]*\n\s*exp: (.*)\n\s*got: (.*)/g)].map(([, quoted = '""', exp = '', got = '']) => ({
    expr: JSON.parse(quoted) as string,
    exp: exp.trim(),
    got: got.trim(),
  }));
  return unmet.length > 0 ? unmet : [{ expr: '', exp: '', got: output.trim() }];
}
