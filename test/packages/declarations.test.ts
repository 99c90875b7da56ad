/**
 * What a service team's editor and compiler see: the built packages' declarations (dist/*.d.ts,
 * emitted file by file by the build), not the sources the rest of the tests read.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFINITIONS, ENVIRONMENT_NAMES, ROOT, serviceExport, serviceNamesOf } from '../support/distribution.js';

// Inside the repository, so `zod` and `kubernetes-types` resolve from its node_modules as they would from a consumer's.
const dir = mkdtempSync(join(ROOT, 'node_modules/.canaryship-declarations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Type-checks `source` against the packages' dist/ declarations with the project's tsc; the diagnostics, one line each (code, message). */
function typeCheck(source: string): string[] {
  const name = `consumer-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, `${name}.ts`), source);
  const compilerOptions = { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: [], paths: { '@canaryship/*': [join(ROOT, 'packages/*/dist/index.d.ts')] } };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ compilerOptions, files: [`${name}.ts`] }));
  const { stdout, stderr } = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(dir, `${name}.json`), '--pretty', 'false'], { encoding: 'utf8' });
  // A message's chain continues on indented lines: one line per diagnostic, as an editor shows it.
  return `${stdout}${stderr}`
    .replace(/\n\s+/g, ' ')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^.*?: error TS(\d+): /, '$1 '));
}

/** Each service package of the app with the constant it exports. */
const servicePackages = (): { name: string; exported: string }[] => serviceNamesOf('istio').map((name) => ({ name, exported: serviceExport(name) }));

describe('published declarations', () => {
  it("carry each service's input, its exact strategy per environment and the blocks' builders", () => {
    const services = servicePackages();
    // Exact: a strategy's declared kind is the literal the service chose, not the union of every kind.
    const strategyLines = ENVIRONMENT_NAMES.flatMap((env) =>
      DEFINITIONS[env].services.map(({ input, strategy }) => {
        const { exported } = services.find((s) => s.name === input.name)!;
        return `const ${exported}_${env}: StrategyFor<'${env}'> & { kind: '${strategy.kind}' } = ${exported}.strategies.${env};`;
      }),
    );
    const [first] = services;
    const diagnostics = typeCheck(`
      import { defineService, type ServiceInput, type StrategyFor } from '@canaryship/blocks';
      ${services.map(({ name, exported }) => `import { ${exported} } from '@canaryship/${name}';`).join('\n      ')}
      const inputs: ServiceInput[] = [${services.map(({ exported }) => `${exported}.input`).join(', ')}];
      ${strategyLines.join('\n      ')}
      export const copy = defineService({ ...${first!.exported}.input, name: 'copy' }, ${first!.exported}.strategies);
      void inputs;
    `);
    expect(diagnostics).toEqual([]);
  });

  it('refuse what the sources refuse: a strategy its provider cannot run, a field the schema does not know', () => {
    const [first] = servicePackages();
    const diagnostics = typeCheck(`
      import { mirrored, type ServiceInput, type StrategyFor } from '@canaryship/blocks';
      import { ${first!.exported} } from '@canaryship/${first!.name}';
      export const onKubernetes: StrategyFor<'kubernetes'> = mirrored({ iterations: 10 });
      export const input: ServiceInput = { ...${first!.exported}.input, replicas: 3 };
    `);
    expect(diagnostics).toEqual([
      expect.stringMatching(/^2322 Type 'BlueGreenMirroring' is not assignable to type 'BlueGreen'/),
      expect.stringMatching(/^2353 Object literal may only specify known properties, and 'replicas' does not exist in type 'ServiceInput'/),
    ]);
  });
});

describe('the build of a package whose export does not state its type', () => {
  it('fails, naming the file, the line and the rule, and writes no declarations', () => {
    const pkg = join(dir, 'packages/untyped');
    mkdirSync(join(pkg, 'src'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'untyped', type: 'module' }));
    writeFileSync(join(pkg, 'tsconfig.json'), JSON.stringify({ extends: join(ROOT, 'tsconfig.build.json'), compilerOptions: { rootDir: 'src', outDir: 'dist', types: [], isolatedDeclarations: true }, include: ['src'] }));
    writeFileSync(join(pkg, 'src/index.ts'), 'export const stated = (x: number): number => x;\nexport const double = (x: number) => x * 2;\n');
    const result = spawnSync(process.execPath, [join(ROOT, 'build.mjs')], { cwd: pkg, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("type declarations cannot be emitted:\npackages/untyped/src/index.ts(2,38): error TS9013: Expression type can't be inferred with --isolatedDeclarations.");
    expect(existsSync(join(pkg, 'dist/index.d.ts'))).toBe(false);
  });
});
