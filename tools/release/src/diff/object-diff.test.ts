import { describe, expect, it } from 'vitest';
import { diffTrees } from './object-diff.js';

const tree = (files: Record<string, string>): Map<string, Buffer> => new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]));
const deployment = (replicas: number, extra = ''): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: web\nspec:\n  replicas: ${replicas}\n  template:\n    spec:\n      containers:\n        - name: app\n          image: podinfo:1${extra}\n`;

describe('diffTrees', () => {
  it('finds nothing between equal trees', () => {
    const files = { 'api/deployment.yaml': deployment(1), 'kustomization.yaml': 'resources: []\n' };
    expect(diffTrees(tree(files), tree(files))).toEqual([]);
  });

  it('names every changed field of a changed object, by dot path and list index', () => {
    const changes = diffTrees(tree({ 'api/deployment.yaml': deployment(1) }), tree({ 'api/deployment.yaml': deployment(2, '\n          args: [x]') }));
    expect(changes).toEqual([
      {
        object: 'Deployment/web/api',
        change: 'changed',
        file: 'api/deployment.yaml',
        fields: ['spec.replicas', 'spec.template.spec.containers[0].args'],
        // Each with its value before and after; a field that is new has no before.
        values: [
          { field: 'spec.replicas', before: 1, after: 2 },
          { field: 'spec.template.spec.containers[0].args', after: ['x'] },
        ],
      },
    ]);
  });

  it('reports a list that grew as one change of the list, and a value that changed type at its path', () => {
    const a = 'kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\nlist: [1, 2]\n';
    const b = 'kind: ConfigMap\nmetadata:\n  name: c\ndata: v\nlist: [1, 2, 3]\n';
    expect(diffTrees(tree({ 'c.yaml': a }), tree({ 'c.yaml': b }))[0]?.fields).toEqual(['data', 'list']);
    expect(diffTrees(tree({ 'c.yaml': 'kind: X\n' }), tree({ 'c.yaml': 'kind: Y\n' }))).toEqual([
      { object: 'X//', change: 'removed', file: 'c.yaml' },
      { object: 'Y//', change: 'added', file: 'c.yaml' },
    ]);
  });

  it('lists objects added and removed, sorted, then files whose bytes changed with no object to explain it', () => {
    const before = tree({ 'b.yaml': 'kind: B\nmetadata:\n  name: b\n', 'kustomization.yaml': 'resources: [b.yaml]\n', 'notes.txt': 'x', 'same.yaml': 'kind: S\nmetadata:\n  name: s\n' });
    const after = tree({ 'a.yaml': 'kind: A\nmetadata:\n  name: a\n', 'kustomization.yaml': 'resources: [a.yaml]\n', 'readme.txt': 'y', 'same.yaml': '# a comment\nkind: S\nmetadata:\n  name: s\n' });
    expect(diffTrees(before, after)).toEqual([
      { object: 'A//a', change: 'added', file: 'a.yaml' },
      { object: 'B//b', change: 'removed', file: 'b.yaml' },
      { change: 'changed', file: 'kustomization.yaml' },
      { change: 'removed', file: 'notes.txt' },
      { change: 'added', file: 'readme.txt' },
      { change: 'changed', file: 'same.yaml' },
    ]);
  });

  it('names the changed field of an object in a changed file among unchanged ones, and an object that moved files as the files that changed', () => {
    const unchanged = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}/service.yaml`, `kind: Service\nmetadata:\n  name: s${i}\n`]));
    const before = tree({ ...unchanged, 'api/deployment.yaml': deployment(1), 'old.yaml': 'kind: ConfigMap\nmetadata:\n  name: c\n' });
    const after = tree({ ...unchanged, 'api/deployment.yaml': deployment(3), 'new.yaml': 'kind: ConfigMap\nmetadata:\n  name: c\n' });
    expect(diffTrees(before, after)).toEqual([
      { object: 'Deployment/web/api', change: 'changed', file: 'api/deployment.yaml', fields: ['spec.replicas'], values: [{ field: 'spec.replicas', before: 1, after: 3 }] },
      { change: 'added', file: 'new.yaml' },
      { change: 'removed', file: 'old.yaml' },
    ]);
  });

  it('compares what is not readable YAML as bytes, and skips empty documents', () => {
    expect(diffTrees(tree({ 'x.yaml': 'a: [\n' }), tree({ 'x.yaml': 'a: [ \n' }))).toEqual([{ change: 'changed', file: 'x.yaml' }]);
    expect(diffTrees(tree({ 'x.yaml': '---\n---\nkind: K\n' }), tree({ 'x.yaml': '---\nkind: K\n' }))).toEqual([{ change: 'changed', file: 'x.yaml' }]);
  });
});
