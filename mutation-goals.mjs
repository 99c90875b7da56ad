// @ts-check
/**
 * The mutation score goals, checked against the report of the run that just finished:
 * `node mutation-goals.mjs <target>` (the test:mutation scripts run it after Stryker) prints a row
 * per goal, as README's table has them, and exits 1 when any score is below its goal. Stryker's
 * own `break` threshold holds one number for a whole run; the goals here are per folder too.
 * Score: killed or timed out, of all mutants; a mutant no test reaches counts as a survivor.
 */
import { readFileSync } from 'node:fs';

/** Goals, by path prefix of the mutated files, per target. */
const GOALS = {
  blocks: [
    { label: '`packages/blocks`, all', prefix: 'packages/blocks/src/', goal: 80 },
    { label: 'of it: webhooks (`webhooks/`: conformance, load test, chain, curl, shell quoting)', prefix: 'packages/blocks/src/webhooks/', goal: 90 },
    { label: 'of it: SLOs (`slo/`: metrics, PromQL)', prefix: 'packages/blocks/src/slo/', goal: 90 },
    { label: 'of it: strategies (`strategy/`: schema, analysis)', prefix: 'packages/blocks/src/strategy/', goal: 90 },
  ],
  release: [{ label: '`tools/release` (layout, registry client, push, publish, diff, contract, release)', prefix: 'tools/release/src/', goal: 80 }],
};

/** Statuses that are not a verdict on the tests: the mutant never ran as code. */
const NOT_COUNTED = new Set(['CompileError', 'RuntimeError', 'Ignored']);
const DETECTED = new Set(['Killed', 'Timeout']);

const target = /** @type {keyof typeof GOALS} */ (process.argv[2] ?? '');
const goals = GOALS[target];
if (!goals) {
  process.stderr.write(`usage: node mutation-goals.mjs ${Object.keys(GOALS).join('|')}\n`);
  process.exit(2);
}
const reportFile = `reports/mutation/${target}.json`;
/** @type {{ files: Record<string, { mutants: { status: string }[] }> }} */
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const root = process.cwd() + '/';

let failed = false;
process.stdout.write(`mutation scores of ${reportFile} (${new Date().toISOString().slice(0, 10)}):\n| target | mutants | killed or timed out | score | goal |\n|---|---|---|---|---|\n`);
for (const { label, prefix, goal } of goals) {
  const mutants = Object.entries(report.files)
    .filter(([file]) => file.replace(root, '').startsWith(prefix))
    .flatMap(([, { mutants }]) => mutants)
    .filter((m) => !NOT_COUNTED.has(m.status));
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const score = mutants.length === 0 ? 0 : (100 * detected) / mutants.length;
  const met = score >= goal;
  failed ||= !met;
  process.stdout.write(`| ${label} | ${mutants.length.toLocaleString('en')} | ${detected.toLocaleString('en')} | ${score.toFixed(1)}% | ${goal}%${met ? '' : ' (not met)'} |\n`);
}
process.exit(failed ? 1 : 0);
