/** `canaryship new-service`: the next service starts from a package that type-checks and renders valid. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blueGreen, composeDistribution } from '@canaryship/blocks';
import { main, starterInput } from '@canaryship/cli';
import { defaultSchemaRegistry, distributionOf, validateDistribution } from '@canaryship/validate';
import { describe, expect, it } from 'vitest';
import { definitionOf, ROOT, unusedName } from '../support/distribution.js';

const run = async (args: string[], cwd: string) => {
  const out: string[] = [];
  const code = await main(args, { cwd, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } });
  return { code, output: out.join('') };
};

/** A copy of the repository's package manifests: enough for new-service to find the root and the names taken. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'canaryship-scaffold-'));
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  for (const group of ['packages', 'environments', 'tools']) {
    for (const entry of readdirSync(join(ROOT, group))) {
      if (!existsSync(join(ROOT, group, entry, 'package.json'))) continue;
      mkdirSync(join(dir, group, entry), { recursive: true });
      cpSync(join(ROOT, group, entry, 'package.json'), join(dir, group, entry, 'package.json'));
    }
  }
  return dir;
}

describe('new-service', () => {
  /** Names of every kind new-service accepts: plain, kebab-case, with digits, and ones that equal a name the scaffold itself uses or a global. */
  const ACCEPTED = ['payments', 'blue-green', 'define-service', 'service-definition', 'starter-input', 'global-this', 'require', 'exports', 'module', 'object', 'x', 'v2-api'].map(unusedName);
  const [first] = ACCEPTED as [string];

  it('scaffolds packages that type-check against @canaryship/blocks and state every exported type (their declarations are emitted file by file), from any folder of the repository, whatever name it accepts', async () => {
    const root = workspace();
    for (const name of ACCEPTED) expect(await run(['new-service', name], join(root, 'environments/istio')), name).toMatchObject({ code: 0, output: expect.stringContaining(`created packages/${name}`) });
    const dir = join(root, 'packages', first);
    for (const file of ['package.json', 'tsconfig.json', 'src/index.ts', `src/${first}.ts`]) expect(existsSync(join(dir, file)), file).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toEqual({ '@canaryship/blocks': `^${JSON.parse(readFileSync(join(ROOT, 'packages/blocks/package.json'), 'utf8')).version}` });
    // Each package compiled on its own, as its build does: one tsc over all of them would see no collision between them anyway.
    const check = join(root, 'tsconfig.check.json');
    writeFileSync(
      check,
      JSON.stringify({
        extends: join(ROOT, 'tsconfig.base.json'),
        compilerOptions: { noEmit: true, declaration: true, isolatedDeclarations: true, types: [], paths: { '@canaryship/blocks': [join(ROOT, 'packages/blocks/src/index.ts')] } },
        include: ACCEPTED.map((name) => `packages/${name}/src`),
      }),
    );
    const tsc = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', check, '--pretty', 'false'], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    expect(readdirSync(join(root, 'packages')).filter((e) => e.startsWith('.'))).toEqual([]);
    expect(await run(['new-service', first], root)).toMatchObject({ code: 2, output: expect.stringContaining(`@canaryship/${first} is already a package of this repository`) });
  });

  it('starts from an input that renders into a valid distribution in every environment', async () => {
    const schemas = await defaultSchemaRegistry();
    for (const environment of ['kubernetes', 'istio', 'linkerd'] as const) {
      const composed = composeDistribution(definitionOf(environment, [{ input: starterInput('payments'), strategy: blueGreen({ iterations: 10 }) }]));
      expect(await validateDistribution(distributionOf(composed, '.'), { schemas, layers: ['schema', 'references', 'policy'] })).toEqual([]);
    }
  });

  const refused: [string, string][] = [
    ['Payments_API', '"Payments_API" cannot name a service: name: a lowercase DNS label'],
    ['class', '"class" cannot name a service: the package exports `class`, a reserved word in JavaScript'],
    ['delete', 'a reserved word in JavaScript'],
    ['blocks', '@canaryship/blocks is already a package of this repository'],
    ['cli', '@canaryship/cli is already a package of this repository'],
    ['loadtester', '@canaryship/loadtester is already a package of this repository'],
    ['api-primary', '"api-primary" cannot name a service: name: '],
  ];

  it.each(refused)('refuses %s with the reason, writing nothing', async (name, reason) => {
    const root = workspace();
    const { code, output } = await run(['new-service', name], root);
    expect(code).toBe(2);
    expect(output).toContain(reason);
    expect(output).not.toContain('internal error');
    expect(existsSync(join(root, 'packages', name, 'src'))).toBe(false);
  });

  it('outside the repository, says so', async () => {
    const { code, output } = await run(['new-service', 'payments'], tmpdir());
    expect(code).toBe(2);
    expect(output).toContain('is not inside the canaryship repository');
  });
});
