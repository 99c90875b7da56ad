/** Reads a rendered distribution back from disk, the way kustomize would: through kustomization.yaml. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

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

export const distDir = (env: Env): string => join(ROOT, 'environments', env, 'dist');

export function parseYamlFile(path: string): Obj[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message}`);
    return doc.toJS() as Obj;
  });
}

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
