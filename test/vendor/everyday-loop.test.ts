/**
 * A service team's everyday loop, in a copy of this working tree: README's loop runs as shown (each
 * command printing what README says it prints); a vendor adds a service exactly as README says, and every test that reads the app still passes (what the tests know about the
 * app comes from its definition, test/support/distribution.ts, not from the demo's four names);
 * then an edit nobody built, a revert after a build and a hand-edited dist/ are each refused by the
 * commands that read dist/, and build-affected brings them up to date.
 *
 * The copy installs and builds like a fresh clone (npm install, npm run build): that build is the
 * vendor's step under test, not provisioning; the programs the tests run come from the cache that
 * `canaryship setup test` filled before the first test.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, ROOT, unusedName } from '../support/distribution.js';
import { commitAll, installedCopy, NPM_QUIET, shell, step } from '../support/working-copy.js';

/** "add it to the environments' service lists": the import, the list entry, the dependency. */
function wireIn(copy: string, name: string, exported: string): void {
  for (const env of ENVIRONMENT_NAMES) {
    const source = join(copy, 'environments', env, 'src/index.ts');
    const text = readFileSync(source, 'utf8');
    const list = /services: \[([A-Za-z0-9_, ]+)\]/;
    if (!list.test(text)) throw new Error(`${source}: no services: [...] list to add ${exported} to`);
    const imports = [...text.matchAll(/^import .*;$/gm)];
    const afterImports = (imports.at(-1)?.index ?? 0) + (imports.at(-1)?.[0].length ?? 0);
    const wired = `${text.slice(0, afterImports)}\nimport { ${exported} } from '@canaryship/${name}';${text.slice(afterImports)}`.replace(list, (_, names: string) => `services: [${names}, ${exported}]`);
    writeFileSync(source, wired);
    const manifestPath = join(copy, 'environments', env, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies: Record<string, string> };
    manifest.dependencies[`@canaryship/${name}`] = `^${(JSON.parse(readFileSync(join(copy, 'packages', name, 'package.json'), 'utf8')) as { version: string }).version}`;
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

/**
 * Test files that read the app's definition, found by what they take from test/support: the
 * services, the distributions rendered from them, the cluster built from those. The rest use a
 * distribution only as input to release mechanics (any distribution would do) and cost minutes.
 */
const READS_THE_APP = /\b(DEFINITIONS|servicesOf|serviceNamesOf|renderedDistribution|renderedFiles|clusterOf|unusedName)\b/;
const testsOfTheApp = (copy: string): string[] =>
  readdirSync(join(copy, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && !file.startsWith('cluster/') && !file.startsWith('vendor/'))
    .filter((file) => READS_THE_APP.test(readFileSync(join(copy, 'test', file), 'utf8')))
    .map((file) => join('test', file));

interface LoopStep {
  /** A command line to run, or an edit: `# edit FILE: LINE` replaces FILE's line that begins as LINE does (up to its first colon). */
  readonly command: string;
  /** What README shows it printing, `…` standing for anything (a path, a digest). */
  readonly prints: readonly string[];
}

/** The console block of README's "A service team's loop", as steps. */
function readmeLoop(): LoopStep[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf("## A service team's loop"));
  const block = /```console\n([^]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("README's loop has no console block");
  const steps: { command: string; prints: string[] }[] = [];
  for (const line of block.trimEnd().split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), prints: [] });
    else steps.at(-1)?.prints.push(line);
  }
  return steps;
}

function applyEdit(copy: string, edit: string): void {
  const [, file, replacement] = /^# edit (\S+): (.+)$/.exec(edit) ?? [];
  if (!file || !replacement) throw new Error(`README's loop: cannot read the edit "${edit}"`);
  const key = replacement.slice(0, replacement.indexOf(':') + 1);
  const lines = readFileSync(join(copy, file), 'utf8').split('\n');
  const at = lines.map((line, i) => (key && line.trimStart().startsWith(key) ? i : -1)).filter((i) => i >= 0);
  if (at.length !== 1) throw new Error(`README's loop: ${file} has ${at.length} lines beginning "${key}", not one`);
  const line = lines[at[0]!]!;
  lines[at[0]!] = `${line.slice(0, line.length - line.trimStart().length)}${replacement}`;
  writeFileSync(join(copy, file), lines.join('\n'));
}

const asPattern = (shown: string): RegExp => new RegExp(`^${shown.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'm');

describe("a service team's loop", () => {
  const name = unusedName('payments');
  let copy = '';
  let created = '';

  beforeAll(() => {
    copy = installedCopy();
  }, 300_000);

  it("runs README's loop as shown: each command prints what README says it prints", () => {
    const steps = readmeLoop();
    expect(steps.map((s) => s.command.split(/\s+/)[2])).toEqual(['publish', 'packages/backend/src/backend.ts:', 'build-affected', 'diff', 'validate', 'plan']);
    for (const { command, prints } of steps) {
      if (command.startsWith('# edit ')) {
        applyEdit(copy, command);
        continue;
      }
      const [program, ...args] = command.replace(/\s+#.*$/, '').split(/\s+/) as [string, ...string[]];
      const result = shell(copy, program, args);
      const output = `${result.stdout}${result.stderr}`;
      // diff says "they differ" with 1; every other step of the loop succeeds.
      expect(result.status, `${command}\n${output}`).toBe(args[1] === 'diff' ? 1 : 0);
      for (const line of prints) expect(output, command).toMatch(asPattern(line));
    }
    // What the loop changed is undone, so the steps below start from the app as checked out.
    step(copy, 'git', 'checkout', '--', '.');
  }, 120_000);

  it('adds a service as README says: new-service tells the next step, and every distribution then ships it', () => {
    created = step(copy, 'npx', 'canaryship', 'new-service', name);
    const exported = /export \{ (\w+) \}/.exec(readFileSync(join(copy, 'packages', name, 'src/index.ts'), 'utf8'))?.[1];
    if (!exported) throw new Error(`packages/${name}/src/index.ts exports nothing`);
    wireIn(copy, name, exported);
    step(copy, 'npm', 'install', ...NPM_QUIET);
    step(copy, 'npm', 'run', 'build');
    expect(created).toContain(`created packages/${name}`);
    expect(created).toContain('add it to environments/*/src/index.ts');
    for (const env of ENVIRONMENT_NAMES) expect(readFileSync(join(copy, 'environments', env, 'dist/kustomization.yaml'), 'utf8'), env).toContain(`  - ${name}/canary.yaml\n`);
  }, 120_000);

  it('keeps every test of the app green', () => {
    const files = testsOfTheApp(copy);
    expect(files).toEqual(expect.arrayContaining(['test/distribution/matrix.test.ts', 'test/distribution/traffic-path.test.ts', 'test/cli/plan.test.ts', 'test/provider/bundle.test.ts']));
    const run = shell(copy, 'npx', ['vitest', 'run', '--reporter=dot', ...files]);
    expect(`${run.stdout}\n${run.stderr}`.split('\n').filter((line) => /FAIL|✗|×/.test(line))).toEqual([]);
    expect(run.status).toBe(0);
  }, 600_000);

  it('never acts on a distribution older than its sources: an unbuilt edit, a revert after a build, a hand edit', () => {
    const canaryship = (...args: string[]) => shell(copy, 'npx', ['canaryship', ...args]);
    const interval = (): string | undefined => /^    interval: (\S+)$/m.exec(readFileSync(join(copy, 'environments/istio/dist', name, 'canary.yaml'), 'utf8'))?.[1];
    commitAll(copy, `add ${name}`);
    const source = join(copy, 'packages', name, 'src', `${name}.ts`);
    const committed = readFileSync(source, 'utf8');
    expect(committed).toContain("interval: '1m'");
    writeFileSync(source, committed.replace("interval: '1m'", "interval: '2m'"));

    const layout = join(copy, 'never-written');
    const stale = `packages/${name}/src/${name}.ts changed since packages/${name}/dist was built`;
    for (const args of [['validate', 'environments/istio/dist'], ['plan', 'environments/istio/dist'], ['publish', 'environments/istio', '--layout', layout], ['render', 'environments/istio']]) {
      const refused = canaryship(...args);
      expect(refused.stderr, args.join(' ')).toContain(stale);
      expect(refused.stderr, args.join(' ')).toContain('npm run build');
      expect(refused.status, args.join(' ')).toBe(1);
    }
    expect(existsSync(layout)).toBe(false);
    expect(interval()).toBe('1m');

    expect(canaryship('build-affected', '--base', 'HEAD').status).toBe(0);
    expect(interval()).toBe('2m');
    expect(canaryship('validate', 'environments/istio/dist').status).toBe(0);

    // Reverted: git sees no change since HEAD, but dist/ still holds the edit.
    step(copy, 'git', 'checkout', '--', `packages/${name}`);
    const reverted = canaryship('build-affected', '--base', 'HEAD');
    expect(reverted.stdout).toContain('affected: none');
    expect(reverted.stdout).toContain(`stale: @canaryship/env-istio is older than its sources: packages/${name}/src/${name}.ts changed`);
    expect(reverted.status).toBe(0);
    expect(interval()).toBe('1m');

    const canary = join(copy, 'environments/istio/dist', name, 'canary.yaml');
    writeFileSync(canary, readFileSync(canary, 'utf8').replace('interval: 1m', 'interval: 5m'));
    const edited = canaryship('validate', 'environments/istio/dist');
    const differs = `environments/istio/dist is not what the sources of environments/istio render: ${name}/canary.yaml differs`;
    expect(edited.stderr).toContain(differs);
    expect(edited.status).toBe(1);
    for (const args of [['contract', 'environments/istio'], ['summary', 'environments/istio'], ['diff', 'environments/istio', '--version', '0.1.0']]) {
      const refused = canaryship(...args);
      expect(refused.stderr, args.join(' ')).toContain(differs);
      // diff keeps 1 for "they differ": a refusal is 2.
      expect(refused.status, args.join(' ')).toBe(args[0] === 'diff' ? 2 : 1);
    }
    const mended = canaryship('build-affected', '--base', 'HEAD');
    expect(mended.stdout).toContain(`stale: ${differs}`);
    expect(interval()).toBe('1m');
    expect(canaryship('validate', 'environments/istio/dist').status).toBe(0);
  }, 120_000);
});
