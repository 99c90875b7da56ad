/**
 * A service team's loop, whole processes, in a copy of the working tree (the benchmark never edits
 * this repository; installing and building the copy is not timed): one service edited, then what
 * README's loop runs to see what providers get (build-affected, validate of every distribution it
 * affects, diff with values against what providers run). The end of the run prints the goal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NX_ENV } from '@canaryship/release';
import { afterAll, test } from 'vitest';
import { installedCopy, step } from '../test/support/working-copy.js';
import { quoted, timed, type Timing } from './timing.js';

const LABEL = "one service edited, then build-affected, validate of the three, diff with values";
const GOAL_SECONDS = 2;
const runs: Timing[] = [];

afterAll(() => {
  const wall = runs.reduce((sum, t) => sum + t.wall, 0) / runs.length;
  const cpu = runs.reduce((sum, t) => sum + t.cpu, 0) / runs.length;
  process.stdout.write(
    `\nA service team's loop, mean of ${runs.length} runs:\n| what | wall | CPU |\n|---|---|---|\n| ${LABEL} | ${wall.toFixed(2)} s | ${cpu.toFixed(2)} s |\n\n` +
      `Goal:\n| goal | measured | |\n|---|---|---|\n| an edited service to an up-to-date, validated distribution and a diff with values: within ${GOAL_SECONDS} s wall | ${wall.toFixed(1)} s | ${wall <= GOAL_SECONDS ? 'met' : 'not met'} |\n\n`,
  );
});

test("a service team's loop: edit a service, render what it affects, validate, diff against what providers run", async ({ bench }) => {
  const copy = installedCopy();
  const cli = (...args: string[]): string => quoted(['node', 'tools/cli/bin/canaryship.js', ...args]);
  step(copy, 'node', 'tools/cli/bin/canaryship.js', 'publish', 'environments/istio');
  const dists = ['kubernetes', 'istio', 'linkerd'].map((env) => `environments/${env}/dist`);
  // A script, so bash's `time` times every step as one simple command; diff's 1 ("they differ") is the point here.
  const script = join(mkdtempSync(join(tmpdir(), 'canaryship-loop-')), 'loop.sh');
  writeFileSync(script, `set -e\n${cli('build-affected')}\n${cli('validate', ...dists)}\n${cli('diff', 'environments/istio', '--version', '0.1.0')} || [ $? -eq 1 ]\n`);
  const source = join(copy, 'packages/backend/src/backend.ts');
  const original = readFileSync(source, 'utf8');
  const CAP = /istio: progressive\(\{ stepWeight: 10, maxWeight: (\d+) \}\)/;
  const shipped = CAP.exec(original)?.[1];
  if (shipped === undefined) throw new Error(`${source} no longer caps the Istio canary as this benchmark edits it`);
  // Each run gives backend's Istio canary a cap no earlier run built, so Nx's cache holds none of it.
  const caps = [40, 60, 70, 80, 90].filter((cap) => String(cap) !== shipped);
  await bench(LABEL, () => {
    writeFileSync(source, original.replace(CAP, `istio: progressive({ stepWeight: 10, maxWeight: ${caps[runs.length % caps.length]} })`));
    runs.push(timed(quoted(['bash', script]), { ...process.env, ...NX_ENV }, copy));
  }).run({ iterations: 4, time: 0, warmup: false });
  rmSync(copy, { recursive: true, force: true });
});
