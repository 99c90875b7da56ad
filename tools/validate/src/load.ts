/** Reads a rendered distribution through its kustomization.yaml, keeping each object's file. */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ComposedDistribution } from '@canaryship/blocks';
import { parseAllDocuments } from 'yaml';

// Parsed YAML is untyped until a layer checks it; rules read it through this loose shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

export interface LoadedObject {
  readonly file: string;
  readonly object: Manifest;
  /** `Kind/namespace/name`. */
  readonly id: string;
}

export interface Distribution {
  readonly name: string;
  readonly dir: string;
  readonly objects: readonly LoadedObject[];
}

export const objectKey = (o: Manifest): string => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** A composed distribution in memory, as the layers read it; `dir` is where its files are rendered. */
export const distributionOf = (composed: ComposedDistribution, dir: string): Distribution => ({
  name: composed.environment,
  dir,
  objects: composed.objects.map(({ path, object }) => ({ file: path, object: object as Manifest, id: objectKey(object as Manifest) })),
});

export async function parseYaml(path: string): Promise<Manifest[]> {
  const docs = parseAllDocuments(await readFile(path, 'utf8'));
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message}`);
    return doc.toJS() as Manifest;
  });
}

/** `name` defaults to the environment folder of `<env>/dist`. */
export async function loadDistribution(dir: string, name?: string): Promise<Distribution> {
  const root = resolve(dir);
  const [kustomization] = await parseYaml(join(root, 'kustomization.yaml'));
  const files = (kustomization?.resources ?? []) as string[];
  const objects: LoadedObject[] = [];
  for (const file of files) {
    for (const object of await parseYaml(join(root, file))) objects.push({ file, object, id: objectKey(object) });
  }
  const inferred = basename(root) === 'dist' ? basename(resolve(root, '..')) : basename(root);
  return { name: name ?? inferred, dir: root, objects };
}
