/** kustomize v5 (the pinned one, what Flux's kustomize-controller embeds) builds every distribution into exactly the objects we rendered. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { distDir, ENVIRONMENT_NAMES, renderedDistribution, type Obj } from '../support/distribution.js';
import { tool } from '../support/tools.js';

const key = (o: Obj): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const sorted = (objects: Obj[]): Obj[] => [...objects].sort((a, b) => (key(a) < key(b) ? -1 : 1));

describe.each(ENVIRONMENT_NAMES)('kustomize build %s', (env) => {
  it('yields the rendered objects, unchanged', async () => {
    const output = execFileSync(await tool('kustomize'), ['build', distDir(env)], { encoding: 'utf8' });
    const built = parseAllDocuments(output).map((doc) => doc.toJS() as Obj);
    const rendered = renderedDistribution(env).map(({ object }) => object);
    expect(built.length).toBe(rendered.length);
    expect(sorted(built)).toEqual(sorted(rendered));
  });
});
