/**
 * `canaryship new-service NAME`: scaffolds packages/NAME, a service package with a valid input and a
 * blue/green strategy everywhere, so the next service starts from something that renders.
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseServiceInput, PODINFO_VERSION, type ServiceInput } from '@canaryship/blocks';
import { NODE } from '@canaryship/toolchain';
import { UsageError, type Io } from '../command.js';

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

export function scaffold(name: string, blocksVersion = '0.1.0'): Record<string, string> {
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
        engines: { node: NODE.supported },
        exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
        files: ['dist'],
        scripts: { build: 'node ../../build.mjs' },
        dependencies: { '@canaryship/blocks': `^${blocksVersion}` },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify({ extends: '../../tsconfig.build.json', compilerOptions: { rootDir: 'src', outDir: 'dist', isolatedDeclarations: true }, include: ['src'] }, null, 2)}\n`,
    'src/index.ts': `export { ${id} } from './${name}.js';\n`,
    // One namespace import: the service's own constant can take any name but `blocks`, which names a package already.
    [`src/${name}.ts`]: `import * as blocks from '@canaryship/blocks';

/**
 * ${name}: say what it does, and why its interval and threshold suit it.
 * Runs podinfo ${PODINFO_VERSION} unless podinfoVersion says otherwise.
 * The type states each environment's strategy kind: the published declarations are emitted from it.
 */
export const ${id}: blocks.ServiceDefinition<{ kubernetes: blocks.BlueGreen; istio: blocks.BlueGreen; linkerd: blocks.BlueGreen }> = blocks.defineService(
  ${input.replace(/\n/g, '\n  ')},
  {
    kubernetes: blocks.blueGreen({ iterations: 10 }),
    istio: blocks.blueGreen({ iterations: 10 }),
    linkerd: blocks.blueGreen({ iterations: 10 }),
  },
);
`,
  };
}

/**
 * ECMAScript reserved words (and TypeScript's strict-mode ones): the scaffold exports a constant
 * named after the service, which cannot be one of these. The language fixes this list.
 */
const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package ' +
    'private protected public await arguments eval undefined NaN Infinity').split(' '),
);

/** The repository root: the nearest folder up from `cwd` whose package.json declares workspaces. */
async function repositoryRoot(cwd: string): Promise<string> {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').then((t) => JSON.parse(t) as { workspaces?: unknown }, () => undefined);
    if (manifest?.workspaces) return dir;
    if (dirname(dir) === dir) throw new UsageError(`${cwd} is not inside the canaryship repository (no package.json with workspaces above it)`);
  }
}

/** Names of every workspace package (packages/*, environments/*, tools/*), so a new one cannot shadow them. */
async function workspacePackages(root: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const group of ['packages', 'environments', 'tools']) {
    for (const entry of await readdir(join(root, group)).catch(() => [] as string[])) {
      const name = await readFile(join(root, group, entry, 'package.json'), 'utf8').then((t) => (JSON.parse(t) as { name?: string }).name, () => undefined);
      if (name) names.add(name);
    }
  }
  return names;
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args: [...args], allowPositionals: true });
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError('new-service needs one service name');
  const parsed = parseServiceInput(starterInput(name), { fallbackName: name });
  if (!parsed.ok) throw new UsageError(`"${name}" cannot name a service: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  if (RESERVED.has(camel(name))) throw new UsageError(`"${name}" cannot name a service: the package exports \`${camel(name)}\`, a reserved word in JavaScript`);
  const root = await repositoryRoot(io.cwd);
  if ((await workspacePackages(root)).has(`@canaryship/${name}`)) throw new UsageError(`"${name}" cannot name a service: @canaryship/${name} is already a package of this repository`);
  const dir = join(root, 'packages', name);
  if (await stat(dir).then(() => true, () => false)) throw new UsageError(`packages/${name} already exists`);
  const blocks = JSON.parse(await readFile(join(root, 'packages/blocks/package.json'), 'utf8')) as { version: string };
  const files = scaffold(name, blocks.version);
  // Written beside and renamed into place: an interrupted scaffold leaves no half package.
  const staging = await mkdtemp(join(root, 'packages', `.${name}.new-`));
  try {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(dirname(join(staging, file)), { recursive: true });
      await writeFile(join(staging, file), content);
    }
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  io.stdout.write(`created packages/${name}\nnext: add it to environments/*/src/index.ts and its dependency to their package.json, then npm install\n`);
  return 0;
}
