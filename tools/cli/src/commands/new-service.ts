/**
 * `canaryship new-service NAME`: scaffolds packages/NAME, a service package with a valid input and a
 * blue/green strategy everywhere, so the next service starts from something that renders.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseServiceInput, PODINFO_VERSION, type ServiceInput } from '@canaryship/blocks';
import { UsageError, type Command } from '../command.js';

/** The starting input: conservative SLOs and a readiness-only conformance test, for the team to tighten. */
export const starterInput = (name: string): ServiceInput => ({
  name,
  description: `The ${name} service.`,
  config: { message: name, color: '#34577c' },
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercent: 80 },
  analysis: { interval: '1m', threshold: 3 },
  slo: { availabilityPercent: 99, errorRatePercent: 1, averageResponseTimeMs: 200, p99ResponseTimeMs: 1000 },
  conformance: [{ name: 'ready', path: '/readyz' }],
});

const camel = (name: string): string => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function scaffold(name: string): Record<string, string> {
  const id = camel(name);
  const input = JSON.stringify(starterInput(name), null, 2).replace(/"([a-zA-Z]+)":/g, '$1:').replace(/"/g, "'");
  return {
    'package.json': `${JSON.stringify(
      {
        name: `@canaryship/${name}`,
        version: '0.1.0',
        description: `The ${name} service of the app: typed base objects and its Flagger strategy for each environment.`,
        type: 'module',
        license: 'Apache-2.0',
        engines: { node: '>=20.19' },
        exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
        files: ['dist'],
        scripts: { build: 'tsc -p tsconfig.json' },
        dependencies: { '@canaryship/blocks': '^0.1.0' },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify({ extends: '../../tsconfig.build.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] }, null, 2)}\n`,
    'src/index.ts': `export { ${id} } from './${name}.js';\n`,
    [`src/${name}.ts`]: `import { blueGreen, defineService } from '@canaryship/blocks';

/**
 * ${name}: say what it does, and why its interval and threshold suit it.
 * Runs podinfo ${PODINFO_VERSION} unless podinfoVersion says otherwise.
 */
export const ${id} = defineService(
  ${input.replace(/\n/g, '\n  ')},
  {
    kubernetes: blueGreen({ iterations: 10 }),
    istio: blueGreen({ iterations: 10 }),
    linkerd: blueGreen({ iterations: 10 }),
  },
);
`,
  };
}

export const newServiceCommand: Command = {
  name: 'new-service',
  help: `new-service NAME
      Scaffold packages/NAME: a service package with a valid input and blue/green everywhere.
      Then add it to the environments' services lists and run npm install.`,
  examples: ['canaryship new-service payments'],
  async run(args, io) {
    const { positionals } = parseArgs({ args: [...args], allowPositionals: true });
    const [name] = positionals;
    if (!name || positionals.length > 1) throw new UsageError('new-service needs one service name');
    const parsed = parseServiceInput(starterInput(name), { fallbackName: name });
    if (!parsed.ok) throw new UsageError(`"${name}" cannot name a service: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    const dir = resolve(io.cwd, 'packages', name);
    if (await stat(dir).then(() => true, () => false)) throw new UsageError(`${dir} already exists`);
    for (const [file, content] of Object.entries(scaffold(name))) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), content);
    }
    io.stdout.write(`created packages/${name}\nnext: add it to environments/*/src/index.ts and its dependency to their package.json, then npm install\n`);
    return 0;
  },
};
