/**
 * The distributions as the tests read them. `renderedDistribution` renders an environment in this
 * process from its sources (what Stryker's mutants change), through the same YAML a provider gets;
 * `loadDistribution` reads a rendered tree from disk, the way kustomize does: through
 * kustomization.yaml. test/cli/render.test.ts proves the two agree byte for byte.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeDistribution, renderDistribution, type DistributionDefinition, type RenderedFile, type ServiceInput } from '@canaryship/blocks';
import { edgeProxy } from '@canaryship/entry';
import { loadtester } from '@canaryship/loadtester';
import { parseAllDocuments } from 'yaml';
import { distribution as istio } from '../../environments/istio/src/index.js';
import { distribution as kubernetes } from '../../environments/kubernetes/src/index.js';
import { distribution as linkerd } from '../../environments/linkerd/src/index.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const ENVIRONMENT_NAMES = ['kubernetes', 'istio', 'linkerd'] as const;
export type Env = (typeof ENVIRONMENT_NAMES)[number];

// Loose object shape for assertions on parsed YAML.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export interface LoadedObject {
  readonly file: string;
  readonly object: Obj;
}

export const DEFINITIONS: Readonly<Record<Env, DistributionDefinition>> = { kubernetes, istio, linkerd };

/**
 * The app's services in an environment, as its definition lists them. Tests about the app read them
 * from here rather than naming the demo's four, so a vendor who adds, renames or removes a service
 * keeps a green suite (test/vendor/everyday-loop.test.ts does what README tells them to).
 */
export const servicesOf = (env: Env): readonly ServiceInput[] => DEFINITIONS[env].services.map((release) => release.input);
export const serviceNamesOf = (env: Env): string[] => servicesOf(env).map((input) => input.name).sort();

/** A service as a distribution releases it: its input and its strategy there. */
type Release = DistributionDefinition['services'][number];

/**
 * The `n`th of `definition`'s services that `fit` a case (any, without a fit), in name order and
 * counting round: a test takes the services it needs from the app rather than by the demo's names,
 * and spreads its cases over them by `n`. An app with none that fits fails the case, saying what it lacks.
 */
export function pickService(definition: DistributionDefinition, n = 0, fit?: { readonly what: string; readonly test: (release: Release) => boolean }): Release {
  const fitting = definition.services.filter(fit?.test ?? (() => true)).sort((a, b) => (a.input.name < b.input.name ? -1 : 1));
  const release = fitting[n % fitting.length];
  if (!release) throw new Error(`the app has no ${fit?.what ?? 'service'} in ${definition.environment} for this case`);
  return release;
}

/** The constant a service package exports (its src/index.ts says which), in this repository or a vendor's copy of it at `root`. */
export function serviceExport(name: string, root: string = ROOT): string {
  const exported = /export \{ (\w+) \}/.exec(readFileSync(join(root, 'packages', name, 'src/index.ts'), 'utf8'))?.[1];
  if (!exported) throw new Error(`packages/${name}/src/index.ts exports no service`);
  return exported;
}

/** Names that neither a service of any environment nor a package of the repository has taken: `preferred`, or it with a number. */
export function unusedName(preferred: string): string {
  const taken = new Set([
    ...ENVIRONMENT_NAMES.flatMap(serviceNamesOf),
    ...['packages', 'environments', 'tools'].flatMap((group) => readdirSync(join(ROOT, group)).filter((entry) => existsSync(join(ROOT, group, entry, 'package.json')))),
  ]);
  const candidate = (n: number): string => (n === 1 ? preferred : `${preferred}${n}`);
  let n = 1;
  while (taken.has(candidate(n))) n++;
  return candidate(n);
}

export const distDir = (env: Env): string => join(ROOT, 'environments', env, 'dist');

const parseYaml = (text: string, origin: string): Obj[] =>
  parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${origin}: ${doc.errors[0]?.message}`);
    return doc.toJS() as Obj;
  });

export const parseYamlFile = (path: string): Obj[] => parseYaml(readFileSync(path, 'utf8'), path);

/** An environment's files, rendered in this process from its sources. */
export const renderedFiles = (env: Env): RenderedFile[] => renderDistribution(composeDistribution(DEFINITIONS[env]));

/** An environment's objects, rendered in this process and read back through its kustomization.yaml. */
export function renderedDistribution(env: Env): LoadedObject[] {
  const files = new Map(renderedFiles(env).map((f) => [f.path, f.content]));
  const [kustomization] = parseYaml(files.get('kustomization.yaml') ?? '', 'kustomization.yaml');
  return (kustomization?.resources as string[]).flatMap((file) => parseYaml(files.get(file) ?? '', file).map((object) => ({ file, object })));
}

/** A rendered tree on disk, read through its kustomization.yaml. */
export function loadDistribution(dir: string): LoadedObject[] {
  const [kustomization] = parseYamlFile(join(dir, 'kustomization.yaml'));
  return (kustomization?.resources as string[]).flatMap((file) => parseYamlFile(join(dir, file)).map((object) => ({ file, object })));
}

export const ofKind = (objects: readonly LoadedObject[], kind: string): Obj[] =>
  objects.filter(({ object }) => object.kind === kind).map(({ object }) => object);

export const byName = (objects: readonly Obj[], name: string): Obj => {
  const found = objects.find((object) => object.metadata?.name === name);
  if (!found) throw new Error(`no object named ${name}`);
  return found;
};

/** A distribution of one service (and any others given), with the real loadtester and an entry in front of the first. */
export function definitionOf(environment: Env, releases: readonly { input: unknown; strategy: unknown }[]): DistributionDefinition {
  const first = (releases[0]?.input as { name?: unknown } | undefined)?.name;
  return {
    environment,
    testRunner: loadtester,
    entry: edgeProxy({ upstream: typeof first === 'string' ? first : 'api' }),
    services: releases,
  } as DistributionDefinition;
}
