/** kustomize v5 (`kubectl kustomize`) builds every distribution into exactly the objects we rendered. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { distDir, ENVIRONMENT_NAMES, loadDistribution, type Obj } from '../support/distribution.js';

const key = (o: Obj): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const sorted = (objects: Obj[]): Obj[] => [...objects].sort((a, b) => (key(a) < key(b) ? -1 : 1));

describe.each(ENVIRONMENT_NAMES)('kubectl kustomize %s', (env) => {
  it('yields the rendered objects, unchanged', () => {
    const output = execFileSync('kubectl', ['kustomize', distDir(env)], { encoding: 'utf8' });
    const built = parseAllDocuments(output).map((doc) => doc.toJS() as Obj);
    const rendered = loadDistribution(distDir(env)).map(({ object }) => object);
    expect(built.length).toBe(rendered.length);
    expect(sorted(built)).toEqual(sorted(rendered));
  });
});
