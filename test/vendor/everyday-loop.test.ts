/**
 * A service team's everyday loop, in a copy of this working tree: README's loop runs as shown (each
 * command printing what README says it prints); a vendor adds a service exactly as README says, and
 * removes one and renames another as docs/service-teams.md says, and every test that reads the app
 * still passes (what the tests know about the app comes from its definition,
 * test/support/distribution.ts, not from the demo's four names);
 * then an edit nobody built, a revert after a build and a hand-edited dist/ are each refused by the
 * commands that read dist/, and build-affected brings them up to date.
 *
 * The copy installs and builds like a fresh clone (npm install, npm run build): that build is the
 * vendor's step under test, not provisioning; the programs the tests run come from the cache that
 * `canaryship setup test` filled before the first test.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, ROOT, serviceExport, servicesOf, unusedName } from '../support/distribution.js';
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

/** Replaces the one match of `pattern` in a file of the copy; throws naming the file when there is not exactly one. */
function edit(copy: string, file: string, pattern: RegExp, replace: (...match: string[]) => string): void {
  const text = readFileSync(join(copy, file), 'utf8');
  const found = text.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))?.length ?? 0;
  if (found !== 1) throw new Error(`${file}: ${found} matches of ${pattern}, not one`);
  writeFileSync(join(copy, file), text.replace(pattern, replace));
}

/** Takes a service out of each environment: its import, its entry in the service list, its dependency. */
function unwire(copy: string, name: string): void {
  const exported = serviceExport(name, copy);
  for (const env of ENVIRONMENT_NAMES) {
    edit(copy, `environments/${env}/src/index.ts`, new RegExp(`^import \\{ ${exported} \\} from '@canaryship/${name}';\n`, 'm'), () => '');
    edit(copy, `environments/${env}/src/index.ts`, new RegExp(`(services: \\[[A-Za-z0-9_, ]*?)(, ${exported}\\b|\\b${exported}, )`), (_, before: string) => before);
    const manifestPath = join(copy, 'environments', env, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies: Record<string, string> };
    delete manifest.dependencies[`@canaryship/${name}`];
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

/** Services of the app that another one calls, callers first in the order the app lists them. */
const calledServices = (): { name: string; callers: string[] }[] => {
  const services = servicesOf('istio');
  return services
    .map((s) => ({ name: s.name, callers: services.filter((c) => c.config?.calls?.includes(s.name)).map((c) => c.name) }))
    .filter((s) => s.callers.length > 0);
};

/** Rewrites `name` in the `calls` of each caller's source: dropped, or renamed to `to`. */
function retarget(copy: string, name: string, callers: readonly string[], to?: string): void {
  for (const caller of callers) {
    const file = readdirSync(join(copy, 'packages', caller, 'src')).map((f) => `packages/${caller}/src/${f}`).find((f) => /calls: \[/.test(readFileSync(join(copy, f), 'utf8')));
    if (!file) throw new Error(`packages/${caller}/src has no calls: [...] naming ${name}`);
    edit(copy, file, /calls: \[([^\]]*)\]/, (_, list: string) => {
      const names = list.split(',').map((n) => n.trim()).filter(Boolean);
      return `calls: [${names.flatMap((n) => (n === `'${name}'` ? (to ? [`'${to}'`] : []) : [n])).join(', ')}]`;
    });
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
    wireIn(copy, name, serviceExport(name, copy));
    step(copy, 'npm', 'install', ...NPM_QUIET);
    step(copy, 'npm', 'run', 'build');
    expect(created).toContain(`created packages/${name}`);
    expect(created).toContain('add it to environments/*/src/index.ts');
    for (const env of ENVIRONMENT_NAMES) expect(readFileSync(join(copy, 'environments', env, 'dist/kustomization.yaml'), 'utf8'), env).toContain(`  - ${name}/canary.yaml\n`);
  }, 120_000);

  it('removes a service and renames another as the guide says: a caller left pointing at one fails the build, and the contract names what providers lose', () => {
    // Two services that others call, so their callers must change too (in the demo: cache and database, called by backend).
    const called = calledServices();
    const removed = called.at(-1)!;
    const renamed = called.at(-2)!;
    const to = unusedName('ledger');
    const dist = join(copy, 'environments/istio/dist');
    const before = readFileSync(join(dist, 'kustomization.yaml'), 'utf8');

    unwire(copy, removed.name);
    const refused = shell(copy, 'npm', ['run', 'build']);
    expect(refused.status).toBe(1);
    for (const caller of removed.callers) expect(`${refused.stdout}${refused.stderr}`).toMatch(new RegExp(`service ${caller}, environment istio, field config\\.calls\\.\\d+: "${removed.name}" is not a service of this distribution`));
    expect(readFileSync(join(dist, 'kustomization.yaml'), 'utf8')).toBe(before);

    retarget(copy, removed.name, removed.callers);
    rmSync(join(copy, 'packages', removed.name), { recursive: true });
    step(copy, 'git', 'mv', `packages/${renamed.name}`, `packages/${to}`);
    edit(copy, `packages/${to}/package.json`, new RegExp(`"name": "@canaryship/${renamed.name}"`), () => `"name": "@canaryship/${to}"`);
    const source = readdirSync(join(copy, 'packages', to, 'src')).map((f) => `packages/${to}/src/${f}`).find((f) => readFileSync(join(copy, f), 'utf8').includes(`name: '${renamed.name}'`));
    if (!source) throw new Error(`packages/${to}/src names no service ${renamed.name}`);
    edit(copy, source, new RegExp(`name: '${renamed.name}'`), () => `name: '${to}'`);
    retarget(copy, renamed.name, renamed.callers, to);
    for (const env of ENVIRONMENT_NAMES) {
      edit(copy, `environments/${env}/src/index.ts`, new RegExp(`from '@canaryship/${renamed.name}';`), () => `from '@canaryship/${to}';`);
      edit(copy, `environments/${env}/package.json`, new RegExp(`"@canaryship/${renamed.name}":`), () => `"@canaryship/${to}":`);
    }
    step(copy, 'npm', 'install', ...NPM_QUIET);
    step(copy, 'npm', 'run', 'build');
    // The plan page's charts name services: the renamed one by its new name, the removed one not at all, then redrawn.
    edit(copy, 'docs/commands/plan.md', new RegExp(`!\\[${renamed.name}\\]\\(\\.\\./plan/webapp\\.${renamed.name}\\.svg\\)`), () => `![${to}](../plan/webapp.${to}.svg)`);
    edit(copy, 'docs/commands/plan.md', new RegExp(`!\\[${removed.name}\\]\\(\\.\\./plan/webapp\\.${removed.name}\\.svg\\)`), () => '');
    rmSync(join(copy, 'docs/plan'), { recursive: true });
    step(copy, 'npx', 'canaryship', 'plan', 'environments/istio/dist', '--svg', 'docs/plan');
    const shown = readFileSync(join(copy, 'docs/commands/plan.md'), 'utf8');
    for (const chart of readdirSync(join(copy, 'docs/plan'))) if (!shown.includes(`../plan/${chart}`)) rmSync(join(copy, 'docs/plan', chart));

    for (const env of ENVIRONMENT_NAMES) {
      const kustomization = readFileSync(join(copy, 'environments', env, 'dist/kustomization.yaml'), 'utf8');
      expect(kustomization, env).toContain(`  - ${to}/canary.yaml\n`);
      expect(kustomization, env).not.toMatch(new RegExp(`^  - (${removed.name}|${renamed.name})/`, 'm'));
    }
    // Against the release README's loop published: every object of both is gone, and 0.1.1 may not say so.
    const contract = shell(copy, 'npx', ['canaryship', 'contract', 'environments/istio', '--version', '0.1.1']);
    for (const gone of [removed.name, renamed.name]) expect(contract.stdout).toMatch(new RegExp(`object-removed\\s+Deployment/\\S+/${gone}: removed or renamed`));
    expect(contract.status).toBe(1);
    // Committed, as a vendor would: the tests that clone the repository see the app as it now is.
    commitAll(copy, `add ${name}, remove ${removed.name}, rename ${renamed.name} to ${to}`);
  }, 180_000);

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
