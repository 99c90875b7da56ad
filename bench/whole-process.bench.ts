/**
 * Whole-process figures, next to `kubectl kustomize` in the same run: what a user waits for and
 * what a CI runner pays, start-up included. Each iteration runs the command once, under bash, so
 * vitest's wall time and the CPU time bash's `times` reports (user + system of the process and its
 * children, printed after the run) belong to the same run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, bench, describe } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'tools/cli/bin/canaryship.js');
const ENVIRONMENTS = ['kubernetes', 'istio', 'linkerd'];
const dists = ENVIRONMENTS.map((env) => `environments/${env}/dist`);
const out = mkdtempSync(join(tmpdir(), 'canaryship-bench-'));
const NX_ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

/** CPU seconds (user + system, children included) of one run of `command`, measured by bash; throws when it fails. */
function cpuSeconds(command: string, env: NodeJS.ProcessEnv = process.env): number {
  const output = execFileSync('bash', ['-c', `${command} >/dev/null 2>&1 || exit; times`], { cwd: ROOT, env, encoding: 'utf8' });
  const children = output.trim().split('\n').at(-1) ?? '';
  return [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
}

const cpu: Record<string, number[]> = {};
const measure = (label: string, command: string, env?: NodeJS.ProcessEnv): void => {
  (cpu[label] ??= []).push(cpuSeconds(command, env));
};

const run = (args: string[], env: NodeJS.ProcessEnv = process.env): void => {
  const result = spawnSync(args[0]!, args.slice(1), { cwd: ROOT, env, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
};

const quoted = (args: string[]): string => args.map((a) => `'${a}'`).join(' ');
const render = ['node', CLI, 'render', 'environments/istio', '--out', join(out, 'istio')];
const kustomizeOne = ['kubectl', 'kustomize', 'environments/istio/dist'];
const validateAll = ['node', CLI, 'validate', ...dists];
const kustomizeAll = `for d in ${dists.join(' ')}; do kubectl kustomize "$d"; done`;
const affected = ['node', CLI, 'build-affected', '--base', 'HEAD'];
// Nx's own entry, as build-affected runs it (npx would add its own start to this column only).
const showAffected = [join(ROOT, 'node_modules/.bin/nx'), 'show', 'projects', '--affected', '--base=HEAD'];
const coldBuild = ['npx', 'nx', 'run-many', '-t', 'build', '--skip-nx-cache'];
// What any Node process pays before render does its own work: a floor for the render row.
const nodeStart = ['node', '-e', '0'];
const nodeWithLibraries = ['node', '--input-type=module', '-e', 'await import("zod"); await import("yaml")'];

afterAll(() => {
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = Object.entries(cpu).map(([label, xs]) => `| ${label} | ${mean(xs).toFixed(3)} s | ${xs.length} |`);
  process.stdout.write(`\nCPU time, user + system, children included:\n| what | mean | runs |\n|---|---|---|\n${rows.join('\n')}\n\n`);
  rmSync(out, { recursive: true, force: true });
});

describe('render one environment, whole process', () => {
  bench('canaryship render environments/istio', () => measure('canaryship render environments/istio', quoted(render)), { iterations: 10, time: 0 });
  bench('kubectl kustomize of its dist', () => measure('kubectl kustomize environments/istio/dist', quoted(kustomizeOne)), { iterations: 10, time: 0 });
});

describe('the floor under any Node command that renders: start, and the two libraries the packages use', () => {
  bench('node -e 0', () => measure("Node's own start (node -e 0)", quoted(nodeStart)), { iterations: 10, time: 0 });
  bench('node importing zod and yaml', () => measure('a Node process that only imports zod and yaml', quoted(nodeWithLibraries)), { iterations: 10, time: 0 });
});

describe('validate the three distributions, all five layers, whole process', () => {
  bench('canaryship validate environments/*/dist', () => measure('canaryship validate, 3 distributions, 5 layers', quoted(validateAll)), { iterations: 5, time: 0 });
  bench('kubectl kustomize of the same three', () => measure('kubectl kustomize of the same three', kustomizeAll), { iterations: 5, time: 0 });
});

describe('build:affected with nothing affected, whole process', () => {
  bench('canaryship build-affected --base HEAD', () => run(affected, NX_ENV), { iterations: 5, time: 0 });
  bench('nx show projects --affected alone', () => run(showAffected, NX_ENV), { iterations: 5, time: 0 });
});

describe('a cold build of every package (Nx cache skipped)', () => {
  bench('nx run-many -t build --skip-nx-cache', () => run(coldBuild, NX_ENV), { iterations: 2, time: 0 });
});
