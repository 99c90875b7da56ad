/**
 * Whole-process figures, next to `kubectl kustomize` in the same run: what a user waits for and
 * what a CI runner pays, start-up included. Each iteration runs the command once, under bash's
 * `time`, so the wall time and the CPU time (user + system, its children included) belong to the
 * same run. The end of the run prints both, then the goals they are held to, met or not.
 *
 * `canaryship` keeps Node's compile cache (tools/toolchain/runtime/start.mjs): "cold" runs each get
 * an empty cache folder, as the first run on a machine does; "warm" runs share one that an earlier
 * run filled, as every later run does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NX_ENV as NX_SETTINGS } from '@canaryship/release';
import { afterAll, test } from 'vitest';
import { quoted, timed, type Timing } from './timing.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'tools/cli/bin/canaryship.js');
const ENVIRONMENTS = ['kubernetes', 'istio', 'linkerd'];
const dists = ENVIRONMENTS.map((env) => `environments/${env}/dist`);
const scratch = mkdtempSync(join(tmpdir(), 'canaryship-bench-'));
// Nx alone runs as build-affected runs it, so the ratio is what build-affected adds.
const NX_ENV = { ...process.env, ...NX_SETTINGS };
const ONCE_EACH = { iterations: 10, time: 0, warmup: false };

const timings: Record<string, Timing[]> = {};
const measure = (label: string, command: string, env: NodeJS.ProcessEnv = process.env): void => {
  (timings[label] ??= []).push(timed(command, env, ROOT));
};
const mean = (label: string, of: keyof Timing): number => {
  const xs = (timings[label] ?? []).map((t) => t[of]);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};

const run = (args: string[], env: NodeJS.ProcessEnv = process.env): void => {
  const result = spawnSync(args[0]!, args.slice(1), { cwd: ROOT, env, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
};

const render = quoted(['node', CLI, 'render', 'environments/istio', '--out', join(scratch, 'istio')]);
const help = quoted(['node', CLI, '--help']);
const kustomizeOne = quoted(['kubectl', 'kustomize', 'environments/istio/dist']);
const validateAll = quoted(['node', CLI, 'validate', ...dists]);
const kustomizeAll = `for d in ${dists.join(' ')}; do kubectl kustomize "$d"; done`;
// What any Node process pays before render does its own work: a floor for the render row.
const nodeStart = quoted(['node', '-e', '0']);
const nodeWithLibraries = quoted(['node', '--input-type=module', '-e', 'await import("zod"); await import("yaml")']);
// Everything render loads before it works (the environment, its services, blocks, zod and yaml), with the compile cache render keeps.
const nodeWithEnvironment = quoted(['node', '--input-type=module', '-e', 'await import("./environments/istio/lib/index.js")']);

/** An empty compile cache for each run (the first run on a machine), or the one shared warm folder. */
let coldRuns = 0;
const coldCache = (): NodeJS.ProcessEnv => ({ ...process.env, NODE_COMPILE_CACHE: join(scratch, `cold-${coldRuns++}`) });
const WARM = { ...process.env, NODE_COMPILE_CACHE: join(scratch, 'warm') };
timed(render, WARM, ROOT);
timed(nodeWithEnvironment, WARM, ROOT);
timed(help, WARM, ROOT);
timed(validateAll, WARM, ROOT);

const LABELS = {
  renderCold: 'canaryship render environments/istio, compile cache cold',
  renderWarm: 'canaryship render environments/istio, compile cache warm',
  kustomizeOne: 'kubectl kustomize environments/istio/dist',
  helpCold: 'canaryship --help, compile cache cold',
  helpWarm: 'canaryship --help, compile cache warm',
  nodeStart: "Node's own start (node -e 0)",
  floor: 'a Node process that only imports zod and yaml',
  environment: 'a Node process that only imports the istio package (services, blocks, zod, yaml), compile cache warm',
  validateWarm: 'canaryship validate, 3 distributions, 5 layers, compile cache warm',
  kustomizeAll: 'kubectl kustomize of the same three',
} as const;

afterAll(() => {
  const rows = Object.values(LABELS)
    .filter((label) => timings[label])
    .map((label) => `| ${label} | ${(mean(label, 'wall') * 1000).toFixed(0)} ms | ${mean(label, 'cpu').toFixed(3)} s | ${timings[label]!.length} |`);
  process.stdout.write(`\nWhole process, mean of the runs (CPU: user + system, children included):\n| what | wall | CPU | runs |\n|---|---|---|---|\n${rows.join('\n')}\n\n`);

  const goals = [
    { goal: 'render: CPU within 2x of a Node process that only imports zod and yaml', measured: mean(LABELS.renderWarm, 'cpu') / mean(LABELS.floor, 'cpu'), limit: 2, unit: 'x' },
    { goal: 'canaryship --help: under 100 ms wall', measured: mean(LABELS.helpWarm, 'wall') * 1000, limit: 100, unit: ' ms' },
  ];
  const goalRows = goals.map(({ goal, measured, limit, unit }) => `| ${goal} | ${measured.toFixed(unit === 'x' ? 2 : 0)}${unit} | ${Number.isFinite(measured) ? (measured <= limit ? 'met' : 'not met') : 'not measured'} |`);
  process.stdout.write(`Goals (compile cache warm):\n| goal | measured | |\n|---|---|---|\n${goalRows.join('\n')}\n\n`);
  rmSync(scratch, { recursive: true, force: true });
});

test('render one environment, whole process', async ({ bench }) => {
  await bench.compare(
    bench(LABELS.renderCold, () => measure(LABELS.renderCold, render, coldCache())),
    bench(LABELS.renderWarm, () => measure(LABELS.renderWarm, render, WARM)),
    bench(LABELS.kustomizeOne, () => measure(LABELS.kustomizeOne, kustomizeOne)),
    ONCE_EACH,
  );
});

test("canaryship --help: the command line's own start", async ({ bench }) => {
  await bench.compare(
    bench(LABELS.helpCold, () => measure(LABELS.helpCold, help, coldCache())),
    bench(LABELS.helpWarm, () => measure(LABELS.helpWarm, help, WARM)),
    ONCE_EACH,
  );
});

test('the floor under any Node command that renders: start, the two libraries the packages use, the package it renders', async ({ bench }) => {
  await bench.compare(
    bench(LABELS.nodeStart, () => measure(LABELS.nodeStart, nodeStart)),
    bench(LABELS.floor, () => measure(LABELS.floor, nodeWithLibraries)),
    bench(LABELS.environment, () => measure(LABELS.environment, nodeWithEnvironment, WARM)),
    ONCE_EACH,
  );
});

test('validate the three distributions, all five layers, whole process', async ({ bench }) => {
  await bench.compare(
    bench(LABELS.validateWarm, () => measure(LABELS.validateWarm, validateAll, WARM)),
    bench(LABELS.kustomizeAll, () => measure(LABELS.kustomizeAll, kustomizeAll)),
    { iterations: 5, time: 0, warmup: false },
  );
});

test('build:affected with nothing affected, whole process', async ({ bench }) => {
  // Nx's own entry, as build-affected runs it (npx would add its own start to this column only).
  await bench.compare(
    bench('canaryship build-affected --base HEAD', () => run(['node', CLI, 'build-affected', '--base', 'HEAD'], { ...NX_ENV, NODE_COMPILE_CACHE: WARM.NODE_COMPILE_CACHE })),
    bench('nx show projects --affected alone', () => run([join(ROOT, 'node_modules/.bin/nx'), 'show', 'projects', '--affected', '--base=HEAD'], NX_ENV)),
    { iterations: 5, time: 0, warmup: false },
  );
});

test('a cold build of every package (Nx cache skipped)', async ({ bench }) => {
  await bench('nx run-many -t build --skip-nx-cache', () => run(['npx', 'nx', 'run-many', '-t', 'build', '--skip-nx-cache'], NX_ENV)).run({ iterations: 2, time: 0, warmup: false });
});
