/**
 * A provider's cluster subscribed with Flux's own controllers (source-controller and
 * kustomize-controller v1.9.6, built from their Go modules, run against the local API server):
 * the provider bundle, with the provider's patches, pulls our releases from a real registry.
 * Flux installs Flagger's own overlay (mirrored into the local registry, as a provider mirrors it),
 * then the app; a minor release arrives on its own with the patches still in force; a major does
 * not; an interrupted publish is never seen as a release. Flagger's verdicts on these releases
 * are the canary runs' business (canary-runs.test.ts); here Flagger's pods are kwok's.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { customisationPatches, ENVIRONMENT_PROFILES, FLAGGER_VERSION, providerBundle, toYaml, type Customisation, type FluxPatch } from '@canaryship/blocks';
import { fluxStatus, locateBinaries, requestReconcile, startControlPlane, startFlux, waitUntil, type ControlPlane, type FluxStatus } from '@canaryship/cluster';
import { buildArtifact, createRegistryClient, publish, pushArtifact, RegistryError } from '@canaryship/release';
import { moduleDir } from '@canaryship/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn, environmentPackage, local } from '../release/workspace.js';
import { DEFINITIONS, ENVIRONMENT_NAMES, type Env } from '../support/distribution.js';
import { startFaultProxy, startRegistry, type FaultProxy, type TestRegistry } from '../support/registry.js';

const quick = { attempts: 2, baseDelayMs: 20 };

/**
 * What each environment's Flagger overlay expects the mesh to have installed: Istio's own
 * namespace (the overlay puts Flagger there); for Linkerd, linkerd-viz's namespace and Linkerd's
 * `policy.linkerd.io` AuthorizationPolicy kind, which the overlay writes there. Linkerd ships that
 * CRD only inside its templated Helm chart, so a stand-in serves the kind here: same group, version
 * and name, any spec (Linkerd's own schema is stricter; nothing here reads the object).
 */
const AUTHORIZATION_POLICY_STAND_IN = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'authorizationpolicies.policy.linkerd.io' },
  spec: {
    group: 'policy.linkerd.io',
    scope: 'Namespaced',
    names: { kind: 'AuthorizationPolicy', plural: 'authorizationpolicies', singular: 'authorizationpolicy', listKind: 'AuthorizationPolicyList' },
    versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};
const MESH: Record<Env, { readonly namespaces: readonly string[]; readonly crds: readonly object[] }> = {
  kubernetes: { namespaces: [], crds: [] },
  istio: { namespaces: ['istio-system'], crds: [] },
  linkerd: { namespaces: ['linkerd-viz'], crds: [AUTHORIZATION_POLICY_STAND_IN] },
};

describe.each(ENVIRONMENT_NAMES)('%s: a provider subscribed with Flux', (ENV) => {
  let cp: ControlPlane;
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let packageDir: string;
  const timeline: string[] = [];
  let started = Date.now();
  const note = (what: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${what}`);

  beforeAll(async () => {
    started = Date.now();
    const workDir = mkdtempSync(join(tmpdir(), 'canaryship-flux-'));
    const progress = (m: string) => process.stderr.write(`flux: ${m}\n`);
    cp = await startControlPlane(await locateBinaries(), workDir, progress);
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.host);
    for (const namespace of MESH[ENV].namespaces) await cp.kubectl('create', 'namespace', namespace);
    for (const crd of MESH[ENV].crds) {
      const file = join(workDir, 'mesh-crd.json');
      writeFileSync(file, JSON.stringify(crd));
      await cp.kubectl('apply', '--server-side', '-f', file);
      await cp.kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', file);
    }
    progress('starting source-controller and kustomize-controller');
    await startFlux(cp);

    // Flagger's kustomize overlays, as Flagger publishes them at every release, mirrored here.
    const flaggerManifests = join(await moduleDir('flagger'), 'kustomize');
    const artifact = await buildArtifact(flaggerManifests, { created: '2026-01-01T00:00:00Z', source: 'https://github.com/fluxcd/flagger', revision: `${FLAGGER_VERSION}@sha1:0000000000000000000000000000000000000000`, version: FLAGGER_VERSION });
    await pushArtifact(createRegistryClient({ address: local(registry.host) }), 'fluxcd/flagger-manifests', FLAGGER_VERSION, artifact);
    packageDir = environmentPackage(ENV, '1.0.0');
  }, 15 * 60_000);

  afterAll(async () => {
    process.stdout.write(`\nFlux timeline (${ENV}):\n${timeline.join('\n')}\n`);
    await proxy?.close();
    await registry?.dispose();
    await cp?.stop();
  });

  /** The provider's own patches: a stricter analysis, more memory, and a person approving frontend's promotions. */
  const providerPatches = (): FluxPatch[] => (
    [
      { kind: 'analysis', service: 'frontend', threshold: 2 },
      { kind: 'resources', service: 'frontend', limits: { memory: '384Mi' } },
      { kind: 'manual-approval', service: 'frontend' },
    ] satisfies Customisation[]
  ).flatMap((customisation) => customisationPatches(DEFINITIONS[ENV], customisation).patches);

  /** Publishes the package's dist/ as `version` (a release commit in its repository first). */
  async function release(version: string, change: (dist: string) => void, via = registry.host): Promise<string> {
    change(join(packageDir, 'dist'));
    const manifest = join(packageDir, 'package.json');
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), version }));
    if (gitIn(packageDir, 'status', '--porcelain')) gitIn(packageDir, 'commit', '--quiet', '-am', `release ${version}`);
    const result = await publish({ packageDir, layoutRoot: mkdtempSync(join(tmpdir(), 'canaryship-flux-layout-')), registry: local(via), retry: quick });
    note(`published ${version} (${result.digest.slice(0, 19)})`);
    return result.digest;
  }

  const status = (kind: 'ocirepository' | 'kustomization', name: string): Promise<FluxStatus | undefined> => fluxStatus(cp, kind, name);

  async function appliedRevision(expected: string, timeoutMs = 5 * 60_000): Promise<FluxStatus> {
    let last: FluxStatus | undefined;
    await waitUntil(
      `Flux to apply ${expected}`,
      async () => {
        last = await status('kustomization', 'webapp');
        return last?.ready === 'True' && last.revision === expected;
      },
      timeoutMs,
      cp.processes,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\nlast Kustomization status: ${JSON.stringify(last)}\nOCIRepository: ${JSON.stringify(await status('ocirepository', 'webapp'))}`);
    });
    note(`Flux applied ${expected.split('@')[0]}`);
    return last!;
  }

  const canary = async (name: string) => JSON.parse((await cp.kubectl('get', 'canary', name, '-n', 'webapp', '-o', 'json')).stdout) as { spec: { analysis: { threshold: number; webhooks: { type: string; url: string }[] } } };

    it('1.0.0: Flux installs Flagger from its mirrored overlay, then the app with the provider\'s patches', async () => {
      const digest = await release('1.0.0', () => undefined);
      const bundle = providerBundle({ environment: ENV, repository: `${registry.host}/webapp/${ENV}`, version: '1.0.0', insecure: true, patches: providerPatches() });
      // The provider's mirror of Flagger's artifact: its own registry, no Sigstore to verify against here.
      const mirrored = bundle.map(({ path, object }) => {
        const o = JSON.parse(JSON.stringify(object)) as { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
        if (o.kind === 'OCIRepository' && o.metadata.name === 'flagger') {
          o.spec['url'] = `oci://${registry.host}/fluxcd/flagger-manifests`;
          o.spec['insecure'] = true;
          delete o.spec['verify'];
        }
        // A provider who wants releases as soon as they are out polls more often than the default 5m.
        if (o.kind === 'OCIRepository' && o.metadata.name === 'webapp') o.spec['interval'] = '10s';
        return { path, object: o };
      });
      const file = join(cp.workDir, 'bundle.yaml');
      writeFileSync(file, mirrored.map(({ object }) => toYaml(object)).join('---\n'));
      await cp.kubectl('apply', '--server-side', '--field-manager=provider', '-f', file);
      note('bundle applied');

      await waitUntil('Flagger installed by Flux', async () => (await status('kustomization', 'flagger'))?.ready === 'True', 5 * 60_000, cp.processes);
      note('Flux applied Flagger');
      expect((await cp.kubectl('get', 'deployment', 'flagger', '-n', ENVIRONMENT_PROFILES[ENV].flaggerNamespace, '-o', 'jsonpath={.status.availableReplicas}')).stdout).toBe('1');

      const applied = await appliedRevision(`1.0.0@${digest}`);
      expect(applied.message).toContain('Applied revision: 1.0.0@sha256:');
      const frontend = await canary('frontend');
      expect(frontend.spec.analysis.threshold).toBe(2);
      expect(frontend.spec.analysis.webhooks.at(-1)).toMatchObject({ type: 'confirm-promotion', url: 'http://flagger-loadtester.webapp/gate/check' });
      expect((await cp.kubectl('get', 'deployment', 'frontend', '-n', 'webapp', '-o', 'jsonpath={.spec.template.spec.containers[0].resources.limits.memory}')).stdout).toBe('384Mi');
    });

    it('1.1.0 arrives on its own within the range, and the provider\'s patches are still in force', async () => {
      const digest = await release('1.1.0', (dist) => {
        const hpa = join(dist, 'backend/hpa.yaml');
        writeFileSync(hpa, readFileSync(hpa, 'utf8').replace(/maxReplicas: \d+/, 'maxReplicas: 9'));
      });
      // The provider polls every 10 s: a minute is ample, and far less than the 5 minutes 1.0.0 may take.
    await appliedRevision(`1.1.0@${digest}`, 60_000);
      expect((await cp.kubectl('get', 'hpa', 'backend', '-n', 'webapp', '-o', 'jsonpath={.spec.maxReplicas}')).stdout).toBe('9');
      expect((await canary('frontend')).spec.analysis.threshold).toBe(2);
    });

    it('2.0.0, a major release, is not picked up by a subscription to 1.x', async () => {
      await release('2.0.0', (dist) => appendFileSync(join(dist, 'namespace.yaml'), '# 2.0.0\n'));
      const before = await status('ocirepository', 'webapp');
      await requestReconcile(cp, 'ocirepository', 'webapp', new Date());
      // Two polls and a requested reconcile: ample time to see 2.0.0 if it were in range.
      await new Promise((resolve) => setTimeout(resolve, 25_000));
      const after = await status('ocirepository', 'webapp');
      expect(after?.ready).toBe('True');
      expect(after?.revision).toBe(before?.revision);
      expect(after?.revision).toMatch(/^1\.1\.0@sha256:/);
      expect((await status('kustomization', 'webapp'))?.revision).toMatch(/^1\.1\.0@/);
      note('2.0.0 ignored by the >=1.0.0 <2.0.0 subscription');
    });

    it('an interrupted publish of 1.2.0 is never seen by Flux as a release', async () => {
      // Stop the registry right after the first blob is accepted: the layer may be there, the tag is not.
      proxy.afterResponse(async (request) => {
        if (request.startsWith('PUT') && request.includes('/blobs/uploads/')) {
          proxy.afterResponse(undefined);
          await registry.stop();
        }
      });
      await expect(release('1.2.0', (dist) => appendFileSync(join(dist, 'namespace.yaml'), '# 1.2.0\n'), proxy.host)).rejects.toThrow(RegistryError);
      note('publish of 1.2.0 interrupted (registry stopped mid-push)');
      await registry.start();
      await requestReconcile(cp, 'ocirepository', 'webapp', new Date());
      await new Promise((resolve) => setTimeout(resolve, 25_000));
      expect((await status('ocirepository', 'webapp'))?.revision).toMatch(/^1\.1\.0@sha256:/);
      expect((await status('kustomization', 'webapp'))?.revision).toMatch(/^1\.1\.0@/);
      note('Flux still on 1.1.0');
    });
});
