import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { blueGreen } from '../strategy/strategies.js';
import { entryLike, input, loadtesterLike } from '../test-fixtures.js';
import { composeDistribution } from './compose.js';
import type { DistributionDefinition } from './define.js';
import { KUSTOMIZATION_FILE, RENDERED_BY, renderDistribution } from './render.js';
import { canonical, toYaml } from './serialize.js';

const definition = (names: readonly string[]): DistributionDefinition =>
  ({
    environment: 'linkerd',
    testRunner: loadtesterLike,
    entry: entryLike('web'),
    services: names.map((name) => ({ input: { ...input, name, config: { ...input.config, calls: [] } }, strategy: blueGreen({ iterations: 5 }) })),
  }) as DistributionDefinition;

describe('canonical YAML', () => {
  it('puts identity first (apiVersion, kind, metadata; name in list items), everything else alphabetically', () => {
    const yaml = toYaml({ spec: { b: 1, a: 2, containers: [{ ports: [], image: 'x', name: 'app' }] }, metadata: { namespace: 'ns', labels: {}, name: 'n' }, kind: 'K', apiVersion: 'v1' });
    expect(yaml).toBe(['apiVersion: v1', 'kind: K', 'metadata:', '  name: n', '  namespace: ns', '  labels: {}', 'spec:', '  a: 2', '  b: 1', '  containers:', '    - name: app', '      image: x', '      ports: []', ''].join('\n'));
  });

  it('gives the same bytes however the object was built, and drops only undefined values', () => {
    const entries = fc.uniqueArray(fc.tuple(fc.constantFrom('name', 'kind', 'apiVersion', 'metadata', 'namespace', 'spec', 'a', 'b', 'Z', 'aa', '_'), fc.oneof(fc.integer(), fc.constant(null), fc.string())), { selector: ([k]) => k, minLength: 1 });
    fc.assert(
      fc.property(entries, (pairs) => {
        const forward = Object.fromEntries(pairs);
        const backward = Object.fromEntries([...pairs].reverse());
        expect(toYaml([forward])).toBe(toYaml([backward]));
        expect(parse(toYaml({ ...forward, gone: undefined }))).toEqual(forward);
      }),
    );
    expect(canonical({ b: [{ d: null, c: 0 }], a: 'x' })).toStrictEqual({ a: 'x', b: [{ c: 0, d: null }] });
    expect(Object.keys(canonical({ b: 1, a: undefined, c: 2 }) as object)).toEqual(['b', 'c']);
  });

  it('never folds a long line nor replaces a repeated object by an alias', () => {
    const command = `curl -s ${'x'.repeat(300)}`;
    const shared = { a: 1 };
    const yaml = toYaml({ cmd: command, one: shared, two: shared });
    expect(yaml.split('\n')[0]).toBe(`cmd: curl -s ${'x'.repeat(300)}`);
    expect(yaml).not.toMatch(/[&*]a\d/);
  });
});

describe('renderDistribution', () => {
  const files = renderDistribution(composeDistribution(definition(['web', 'api'])));

  it('writes every file sorted by path, each opening with the header that names its environment', () => {
    const paths = files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toContain(KUSTOMIZATION_FILE);
    for (const file of files) expect(file.content.split('\n')[0]).toBe(`${RENDERED_BY} for the linkerd environment. Do not edit: change the source package or patch it in an overlay.`);
  });

  it('lists every other file, and only those, as a kustomize resource', () => {
    const kustomization = parse(files.find((f) => f.path === KUSTOMIZATION_FILE)!.content);
    expect(kustomization).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: expect.any(Array) });
    expect([...kustomization.resources].sort()).toEqual(files.map((f) => f.path).filter((p) => p !== KUSTOMIZATION_FILE));
  });

  it('does not depend on the order services are listed in', () => {
    expect(renderDistribution(composeDistribution(definition(['api', 'web'])))).toEqual(files);
  });
});
