/**
 * `canaryship contract`: a new release against the last published one, for what providers rely
 * on. Each kind of breaking change is caught, named with the object and who is affected; a major
 * version makes it acceptable (providers' ranges skip it); an unchanged distribution breaks nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@canaryship/cli';
import { contract, leavesRange, publish, publishedVersions, type BreakingKind } from '@canaryship/release';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { DEFINITIONS, pickService, unusedName } from '../support/distribution.js';
import { environmentPackage } from './workspace.js';

/** An environment package with 1.0.0 published into a fresh layout. */
async function published(env: 'kubernetes' | 'istio' | 'linkerd' = 'istio') {
  const packageDir = environmentPackage(env, '1.0.0');
  const layoutRoot = mkdtempSync(join(tmpdir(), 'canaryship-contract-'));
  await publish({ packageDir, layoutRoot });
  return { packageDir, layoutRoot };
}

/** Removes one object of the package's dist/, as a release that drops it would. */
function remove(packageDir: string, file: string): void {
  rmSync(join(packageDir, 'dist', file));
  const path = join(packageDir, 'dist/kustomization.yaml');
  writeFileSync(path, readFileSync(path, 'utf8').replace(`  - ${file}\n`, ''));
}

/** Rewrites one object of the package's dist/. */
function edit(packageDir: string, file: string, change: (o: Record<string, any>) => void): void {
  const path = join(packageDir, 'dist', file);
  const text = readFileSync(path, 'utf8');
  const header = text.slice(0, text.indexOf('\n') + 1);
  const object = parseAllDocuments(text)[0]!.toJS() as Record<string, any>;
  change(object);
  writeFileSync(path, header + stringify(object));
}

const kinds = (result: { breaking: readonly { kind: BreakingKind }[] }): BreakingKind[] => [...new Set(result.breaking.map((b) => b.kind))].sort();

describe('contract with the last published version', () => {
  it('an unchanged distribution, and one whose changes providers cannot notice, break nothing', async () => {
    const { packageDir, layoutRoot } = await published();
    const { name } = pickService(DEFINITIONS.istio, 0).input;
    expect(await contract({ packageDir, layoutRoot, version: '1.0.1' })).toMatchObject({ baseline: '1.0.0', breaking: [], refused: false });
    edit(packageDir, `${name}/canary.yaml`, (o) => void (o.spec.analysis.threshold += 1));
    expect((await contract({ packageDir, layoutRoot, version: '1.1.0' })).breaking).toEqual([]);
  });

  it('catches each kind of breaking change, names the object and who is affected, and refuses it within the major', async () => {
    const { packageDir, layoutRoot } = await published();
    // Each change to the app's services in turn (in the demo: backend, cache, database, frontend).
    const { name: renamed } = pickService(DEFINITIONS.istio, 0).input;
    const { name: unbudgeted } = pickService(DEFINITIONS.istio, 1).input;
    const { name: reselected } = pickService(DEFINITIONS.istio, 2).input;
    const { name: reordered } = pickService(DEFINITIONS.istio, 3).input;
    remove(packageDir, `${unbudgeted}/pdb.yaml`);
    edit(packageDir, `${renamed}/deployment.yaml`, (o) => {
      o.spec.template.spec.containers[0].name = 'api';
      o.spec.template.spec.containers[0].ports[0].name = 'web';
    });
    edit(packageDir, `${reselected}/deployment.yaml`, (o) => void (o.spec.selector.matchLabels = { app: 'db' }));
    // A release that reorders a service's checks: a provider's patch of one by index must not land on another.
    edit(packageDir, `${reordered}/canary.yaml`, (o) => void o.spec.analysis.metrics.reverse());

    const result = await contract({ packageDir, layoutRoot, version: '1.1.0' });
    expect(kinds(result)).toEqual(['container-renamed', 'customisation-broken', 'object-removed', 'port-renamed', 'selector-changed']);
    expect(result.refused).toBe(true);
    expect(result.breaking).toContainEqual({ kind: 'object-removed', object: `PodDisruptionBudget/webapp/${unbudgeted}`, detail: 'removed or renamed', affects: expect.stringContaining('Flux prunes it on upgrade') });
    expect(result.breaking).toContainEqual(expect.objectContaining({ kind: 'container-renamed', object: `Deployment/webapp/${renamed}`, detail: 'container podinfo is gone (now api)' }));
    expect(result.breaking).toContainEqual(expect.objectContaining({ kind: 'port-renamed', object: `Deployment/webapp/${renamed}`, detail: 'container port http is gone' }));
    expect(result.breaking).toContainEqual(expect.objectContaining({ kind: 'selector-changed', object: `Deployment/webapp/${reselected}`, affects: expect.stringContaining('immutable') }));
    const broken = result.breaking.filter((b) => b.kind === 'customisation-broken');
    expect(broken.length).toBeGreaterThan(0);
    // Service names are DNS labels: nothing in them for a pattern to escape.
    for (const b of broken) expect(b).toMatchObject({ object: `Canary/webapp/${reordered}`, detail: expect.stringMatching(new RegExp(`^a patch to bound ${reordered}'s .+ no longer applies: testing value /spec/analysis/metrics/\\d/name failed`)), affects: expect.stringMatching(new RegExp(`^providers who bound ${reordered}'s `)) });

    // The same changes as a new major version: providers following 1.x never receive it.
    expect(await contract({ packageDir, layoutRoot, version: '2.0.0' })).toMatchObject({ baseline: '1.0.0', majorBump: true, refused: false });
  });

  it("breaks a provider's namespace move when the release adds what it does not move, or changes a string it moves", async () => {
    const { packageDir, layoutRoot } = await published();
    // A service added since 1.0.0 (its config calls the entry's upstream): the move written for
    // 1.0.0 moves the object (kustomize's namespace transformer) but not the address inside it.
    const upstream = DEFINITIONS.istio.entry.upstream;
    const added = unusedName('payments');
    writeFileSync(join(packageDir, 'dist', `${added}.yaml`), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: added, namespace: 'webapp' }, data: { 'config.yaml': `calls:\n  - http://${upstream}.webapp:9898/echo\n` } }));
    const kustomization = join(packageDir, 'dist/kustomization.yaml');
    writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace('resources:\n', `resources:\n  - ${added}.yaml\n`));
    const moved = (await contract({ packageDir, layoutRoot, version: '1.1.0' })).breaking.filter((b) => b.affects === 'providers who move the app to another namespace');
    expect(moved).toEqual([
      { kind: 'customisation-broken', object: `ConfigMap/webapp/${added}`, detail: 'the customisation to move the app to another namespace written for the published version leaves /data/config.yaml naming "webapp"', affects: 'providers who move the app to another namespace' },
    ]);
    // A release that changes an address the move rewrites: its `test` fails rather than putting 1.0.0's string back.
    rmSync(join(packageDir, 'dist', `${added}.yaml`));
    writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace(`  - ${added}.yaml\n`, ''));
    // Not the first object the move patches: the break names the object whose patch fails.
    const { name } = pickService(DEFINITIONS.istio, 2).input;
    edit(packageDir, `${name}/canary.yaml`, (o) => void (o.spec.analysis.webhooks[0].metadata.cmd += '\ntrue'));
    const changed = (await contract({ packageDir, layoutRoot, version: '1.1.0' })).breaking.filter((b) => b.affects === 'providers who move the app to another namespace');
    expect(changed).toEqual([expect.objectContaining({ object: `Canary/webapp/${name}`, detail: expect.stringMatching(/^a patch to move the app to another namespace no longer applies: testing value \/spec\/analysis\/webhooks\/0\/metadata\/cmd failed/) })]);
  });

  it('a distribution that does not build is an error, not a verdict', async () => {
    const { packageDir, layoutRoot } = await published();
    const { name } = pickService(DEFINITIONS.istio, 1).input;
    rmSync(join(packageDir, 'dist', name, 'pdb.yaml'));
    await expect(contract({ packageDir, layoutRoot, version: '1.0.1' })).rejects.toMatchObject({ code: 'contract.unbuildable', message: expect.stringMatching(new RegExp(`is not a distribution kustomize may build: .*${name}/pdb\\.yaml`)) });
  });

  it('compares with the highest version published below the new one', async () => {
    const { packageDir, layoutRoot } = await published();
    expect(await publishedVersions({ environment: 'istio', layoutRoot })).toEqual(['1.0.0']);
    expect((await contract({ packageDir, layoutRoot, version: '1.0.0' })).baseline).toBeUndefined();
    expect((await contract({ packageDir, layoutRoot, version: '0.9.0' })).baseline).toBeUndefined();
  });

  it.each([
    ['1.4.2', '2.0.0', true],
    ['1.4.2', '1.5.0', false],
    ['0.3.1', '0.4.0', true],
    ['0.3.1', '0.3.2', false],
    ['0.3.1', '1.0.0', true],
  ])('from %s, %s leaves the subscription range: %s', (from, to, leaves) => {
    expect(leavesRange(from, to)).toBe(leaves);
  });

  it('the command says what broke and for whom, and exits 1', async () => {
    const { packageDir, layoutRoot } = await published();
    const { name } = pickService(DEFINITIONS.istio, 1).input;
    remove(packageDir, `${name}/pdb.yaml`);
    const out: string[] = [];
    const code = await main(['contract', packageDir, '--version', '1.1.0', '--layout', layoutRoot], { cwd: packageDir, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } });
    expect(code).toBe(1);
    expect(out.join('')).toMatch(new RegExp(`1\\.1\\.0 breaks 1 thing\\(s\\) providers of oci:.+:1\\.0\\.0 rely on:\n {2}object-removed +PodDisruptionBudget/webapp/${name}: removed or renamed\n +for providers whose patches or tooling target`));
    expect(out.join('')).toContain('this needs a major version');
  });
});
