/**
 * A provider's cluster subscribed with Flux's own controllers (source-controller and
 * kustomize-controller v1.9.6, built from their Go modules, run against the local API server),
 * with real Flagger judging every release Flux delivers, on the data plane model that carries the
 * app's traffic (the canary runs' stage, tools/cluster). Per environment, the provider bundle with
 * the provider's patches (a short analysis, a stricter threshold, more memory, a manual gate, an
 * alert provider posting to a local receiver) pulls our releases from a real registry:
 * 1. 1.0.0: Flux installs Flagger's own overlay (mirrored into the local registry, as a provider
 *    mirrors it), then the app; every Canary initialises;
 * 2. 1.1.0, a good release of the caller (backend in the demo): Flux moves to it within the range,
 *    Flagger promotes it;
 * 3. 1.1.1, a faulty release of it: Flagger rolls it back, the primary keeps 1.1.0, the alert arrives;
 * 4. 1.2.0, a good release of the gated service (frontend): the manual gate holds it until the test
 *    opens it;
 * 5. 2.0.0, a major, is not picked up; 6. an interrupted publish is never seen as a release.
 * Prints a timeline per environment: publish → Flux applied → Flagger's verdict.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ENVIRONMENT_PROFILES, FLAGGER_VERSION, FLUX_NAMESPACE, providerBundle, toYaml } from '@canaryship/blocks';
import {
  awaitApplied,
  awaitCanariesInitialised,
  awaitCanaryPhase,
  awaitVerdict,
  callTreeOf,
  canaryState,
  deployedRevision,
  diagnose,
  entryAnswers,
  entryOf,
  fluxStatus,
  generateKeyPair,
  patchesOf,
  primariesOnThePath,
  rolesOf,
  proveEveryHop,
  publishRelease,
  quickAnalyses,
  reconcileNow,
  signByDigest,
  startAppCluster,
  startFlux,
  startUsers,
  subscribe,
  USER_RATE,
  USERS,
  waitUntil,
  type AppCluster,
  type ControlPlane,
  type FluxStatus,
  type Published,
  type Release,
  type Users,
} from '@canaryship/cluster';
import { buildArtifact, createRegistryClient, pushArtifact, RegistryError } from '@canaryship/release';
import { moduleDir, toolPath } from '@canaryship/toolchain';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { environmentPackage, local } from '../release/workspace.js';
import { DEFINITIONS, ENVIRONMENT_NAMES, type Env } from '../support/distribution.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startFaultProxy, startRegistry, type FaultProxy, type TestRegistry } from '../support/registry.js';

const quick = { attempts: 2, baseDelayMs: 20 };
const execFileAsync = promisify(execFile);
/** The provider path's command line, as the kind workflow runs it (built by `npm run build`). */
const PROVIDER_PATH = join(import.meta.dirname, '../../tools/cluster/bin/provider-path.js');
const NAMESPACE = 'webapp';
/** The provider's Secret holding its receiver's address (Flagger reads the key `address`). */
const NOTIFICATIONS_SECRET = 'release-notifications';
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

describe.each(ENVIRONMENT_NAMES)('%s: a provider subscribed with Flux, Flagger judging each release', (ENV) => {
  let app: AppCluster;
  let cp: ControlPlane;
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let receiver: Receiver;
  let users: Users | undefined;
  let packageDir: string;
  /** The vendor's repository: the environment package in it is `packageDir`. */
  let workspace: string;
  const timeline: string[] = [];
  // Which services play each part, from the app's path (rolesOf): backend and frontend in the demo.
  // The gate is on the service users reach first, unless that is the one released in steps 2 and 3.
  const roles = rolesOf(callTreeOf(DEFINITIONS[ENV]));
  const { caller } = roles;
  const gated = roles.front !== caller ? roles.front : roles.dependency;
  let started = Date.now();
  const note = (what: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${what}`);

  beforeAll(async () => {
    started = Date.now();
    const workDir = mkdtempSync(join(tmpdir(), 'canaryship-flux-'));
    const progress = (m: string) => process.stderr.write(`flux ${ENV}: ${m}\n`);
    app = await startAppCluster({ workDir, namespace: NAMESPACE, environment: ENV, onProgress: progress });
    cp = app.cp;
    for (const namespace of MESH[ENV].namespaces) await cp.kubectl('create', 'namespace', namespace);
    for (const crd of MESH[ENV].crds) {
      const file = join(workDir, 'mesh-crd.json');
      writeFileSync(file, JSON.stringify(crd));
      await cp.kubectl('apply', '--server-side', '-f', file);
      await cp.kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', file);
    }
    progress('starting source-controller and kustomize-controller');
    await startFlux(cp);
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.host);
    receiver = await startReceiver();

    // Flagger's kustomize overlays, as Flagger publishes them at every release, mirrored here.
    const flaggerManifests = join(await moduleDir('flagger'), 'kustomize');
    const artifact = await buildArtifact(flaggerManifests, { created: '2026-01-01T00:00:00Z', source: 'https://github.com/fluxcd/flagger', revision: `${FLAGGER_VERSION}@sha1:0000000000000000000000000000000000000000`, version: FLAGGER_VERSION });
    await pushArtifact(createRegistryClient({ address: local(registry.host), access: 'push' }), 'fluxcd/flagger-manifests', FLAGGER_VERSION, artifact);
    // Flux applies Flagger's Deployment (its pod is kwok's); the Flagger that judges runs beside the control plane.
    await app.startFlagger(ENV);
    workspace = mkdtempSync(join(tmpdir(), 'canaryship-flux-vendor-'));
    packageDir = environmentPackage(ENV, '1.0.0', workspace);
  }, 15 * 60_000);

  // What the kind workflow prints when a step fails, printed here too.
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && cp) process.stderr.write(`\n${ENV}: diagnostics after "${task.name}"\n${await diagnose(cp, ENV, NAMESPACE)}\n`);
  });

  afterAll(async () => {
    users?.stop();
    process.stdout.write(`\nFlux and Flagger timeline (${ENV}):\n${timeline.join('\n')}\n`);
    await receiver?.close();
    await proxy?.close();
    await registry?.dispose();
    await app?.stop();
  });

  /**
   * The provider's own patches, all from the customisation surface: every analysis shortened to
   * about a minute (the canary runs' settings), a stricter threshold and more memory for the gated
   * service, a person approving its promotions, and its and the caller's releases reported to the
   * provider's receiver.
   */
  const shortened = quickAnalyses(DEFINITIONS[ENV]);
  // Stricter by one failed check than the shortened analysis allows (which counts the checks a new canary meets before its series have values).
  const gatedThreshold = (shortened.find((c) => c.kind === 'analysis' && c.service === gated) as { threshold: number }).threshold - 1;
  const provider = patchesOf(DEFINITIONS[ENV], [
    ...shortened,
    { kind: 'analysis', service: gated, threshold: gatedThreshold },
    { kind: 'resources', service: gated, limits: { memory: '384Mi' } },
    { kind: 'manual-approval', service: gated },
    { kind: 'notifications', type: 'slack', secretName: NOTIFICATIONS_SECRET, services: [caller, gated] },
  ]);

  /** Publishes `release` from the vendor's workspace (its release commit first). */
  async function release(version: string, change: Omit<Release, 'version'>, via = registry.host): Promise<Published> {
    const result = await publishRelease(packageDir, { version, ...change }, { layoutRoot: mkdtempSync(join(tmpdir(), 'canaryship-flux-layout-')), registry: local(via), retry: quick });
    noted(result);
    return result;
  }
  const published = new Map<string, string>();
  const noted = ({ version, digest }: { version: string; digest: string }) => {
    note(`published ${version} (${digest.slice(0, 19)})`);
    published.set(version, digest);
  };

  /** One step of the provider's path through its command line (what the kind workflow runs), against this cluster's kubeconfig. */
  async function providerPathStep(...args: string[]): Promise<{ version: string; digest: string; verdict: string; failedChecks: number; primaryRevision: string }> {
    const kubectl = await toolPath('kubectl');
    const env = { ...process.env, PATH: `${dirname(kubectl)}:${process.env['PATH'] ?? ''}` };
    const { stdout, stderr } = await execFileAsync(process.execPath, [PROVIDER_PATH, ...args, '--environment', ENV, '--kubeconfig', cp.kubeconfig, '--workspace', workspace, '--registry', registry.host], { env }).catch((error: { stdout: string; stderr: string; message: string }) => {
      throw new Error(`${error.message}\n${error.stdout}\n${error.stderr}`);
    });
    process.stderr.write(stderr);
    const result = JSON.parse(stdout) as Awaited<ReturnType<typeof providerPathStep>>;
    published.set(result.version, result.digest);
    note(`provider-path ${args[0]}: published ${result.version} (${result.digest.slice(0, 19)}), Flux applied it`);
    note(`Flagger: ${args[args.indexOf('--service') + 1]} ${result.verdict === 'Succeeded' ? 'promoted' : 'rolled back'} (${result.failedChecks} failed checks)`);
    return result;
  }

  const status = (kind: 'ocirepository' | 'kustomization', name: string): Promise<FluxStatus | undefined> => fluxStatus(cp, kind, name);

  async function appliedRevision(expected: string, timeoutMs = 5 * 60_000): Promise<FluxStatus> {
    const applied = await awaitApplied(cp, expected, timeoutMs);
    note(`Flux applied ${expected.split('@')[0]}`);
    return applied;
  }

  /** Flagger's verdict on `service`'s release, under way or about to start. */
  async function verdict(service: string): Promise<string> {
    const { phase, failedChecks } = await awaitVerdict(cp, NAMESPACE, service, 5 * 60_000);
    note(`Flagger: ${service} ${phase === 'Succeeded' ? 'promoted' : 'rolled back'} (${failedChecks} failed checks)`);
    return phase;
  }

  const canary = async (name: string) => JSON.parse((await cp.kubectl('get', 'canary', name, '-n', NAMESPACE, '-o', 'json')).stdout) as { spec: { analysis: { threshold: number; webhooks: { type: string; url: string }[] } } };
  const field = async (kind: string, name: string, path: string) => (await cp.kubectl('get', kind, name, '-n', NAMESPACE, '-o', `jsonpath={${path}}`)).stdout;
  const revision = (deployment: string) => deployedRevision(cp, NAMESPACE, deployment);
  /** What Flagger posted to the provider's receiver about `service` since `after` (Slack's payload). */
  const alerts = (service: string, after: number) =>
    receiver.received
      .filter((r) => r.at >= after)
      .flatMap((r) => (r.body as { attachments?: { author_name: string; text: string; color: string }[] }).attachments ?? [])
      .filter((a) => a.author_name === `${service}.${NAMESPACE}`);

  it("1.0.0: Flux installs Flagger from its mirrored overlay, then the app with the provider's patches; every Canary initialises", async () => {
    const { digest } = await release('1.0.0', {});
    // The provider mirrors Flagger's artifact in its own registry (no Sigstore to verify against
    // here) and, wanting releases as soon as they are out, polls more often than the default 5m.
    await subscribe(
      cp,
      { environment: ENV, repository: `${registry.host}/webapp/${ENV}`, version: '1.0.0', insecure: true, patches: provider.patches, pollInterval: '10s', flaggerMirror: `oci://${registry.host}/fluxcd/flagger-manifests` },
      join(cp.workDir, 'bundle.yaml'),
    );
    note('bundle applied');

    await waitUntil('Flagger installed by Flux', async () => (await status('kustomization', 'flagger'))?.ready === 'True', 5 * 60_000, cp.processes);
    note('Flux applied Flagger');
    expect((await cp.kubectl('get', 'deployment', 'flagger', '-n', ENVIRONMENT_PROFILES[ENV].flaggerNamespace, '-o', 'jsonpath={.status.availableReplicas}')).stdout).toBe('1');

    const applied = await appliedRevision(`1.0.0@${digest}`);
    expect(applied.message).toContain('Applied revision: 1.0.0@sha256:');
    // The provider's own objects beside the bundle: its receiver's address in a Secret, the AlertProvider that reads it.
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: NOTIFICATIONS_SECRET, namespace: NAMESPACE }, stringData: { address: receiver.address } };
    const objects = join(cp.workDir, 'provider-objects.yaml');
    writeFileSync(objects, [secret, ...provider.objects].map((o) => toYaml(o)).join('---\n'));
    await cp.kubectl('apply', '--server-side', '--field-manager=provider', '-f', objects);

    await awaitCanariesInitialised(cp, NAMESPACE, 4 * 60_000, DEFINITIONS[ENV].services.map((s) => s.input.name));
    note('Flagger: every Canary initialised');
    const gatedCanary = await canary(gated);
    expect(gatedCanary.spec.analysis.threshold).toBe(gatedThreshold);
    expect(gatedCanary.spec.analysis.webhooks.at(-1)).toMatchObject({ type: 'confirm-promotion', url: `http://flagger-loadtester.${NAMESPACE}/gate/check` });
    expect(await field('deployment', gated, '.spec.template.spec.containers[0].resources.limits.memory')).toBe('384Mi');

    await waitUntil('the entry answering users', () => entryAnswers(app.dataPlane, NAMESPACE), 60_000, cp.processes);
    users = startUsers({ dataPlane: app.dataPlane, entry: entryOf(NAMESPACE), kinds: USERS[ENV], requestsPerSecond: USER_RATE, idPrefix: `flux-${ENV}` });
  });

  it("1.1.0, a good release of the caller: Flux moves to it within the range, Flagger promotes it, the provider's patches still in force", async () => {
    // The service team's release also raises its autoscaling ceiling.
    const hpa = join(packageDir, `dist/${caller}/hpa.yaml`);
    writeFileSync(hpa, readFileSync(hpa, 'utf8').replace(/maxReplicas: \d+/, 'maxReplicas: 9'));
    const result = await providerPathStep('release', '--version', '1.1.0', '--service', caller, '--expect', 'promoted');
    expect(result).toMatchObject({ verdict: 'Succeeded', primaryRevision: '1.1.0' });
    expect(await field('hpa', caller, '.spec.maxReplicas')).toBe('9');
    expect((await canary(gated)).spec.analysis.threshold).toBe(gatedThreshold);
    expect(await field('deployment', gated, '.spec.template.spec.containers[0].resources.limits.memory')).toBe('384Mi');
  });

  it('1.1.1, a faulty release of the caller: Flagger rolls it back, the primary keeps serving 1.1.0, and the alert reaches the provider naming canary and reason', async () => {
    const at = Date.now();
    const result = await providerPathStep('release', '--version', '1.1.1', '--service', caller, '--faulty', '--expect', 'rolled-back');
    expect(result).toMatchObject({ verdict: 'Failed', primaryRevision: '1.1.0' });
    expect(await revision(caller)).toBe('1.1.1');
    expect(await revision(`${caller}-primary`)).toBe('1.1.0');
    await waitUntil('the rollback alert at the receiver', async () => alerts(caller, at).some((a) => a.color === 'danger'), 30_000);
    expect(alerts(caller, at).find((a) => a.color === 'danger')?.text).toMatch(/^Failed checks threshold reached \d+$/);
    note(`receiver: rollback alert for ${caller}`);
    // Users' requests take the path through the primaries (once the data plane has the routes
    // Flagger restored before its verdict): one request proves every hop.
    await app.synced();
    const path = callTreeOf(DEFINITIONS[ENV]);
    const proof = await proveEveryHop(app.dataPlane, NAMESPACE, `flux-${ENV}-after-rollback`, path);
    expect(proof).toMatchObject({ ok: true, servedBy: primariesOnThePath(path) });
  });

  it("1.2.0, a good release of the gated service: the provider's manual gate holds it until the gate is opened", async () => {
    const { digest, at } = await release('1.2.0', { services: { [gated]: { revision: '1.2.0' } } });
    await appliedRevision(`1.2.0@${digest}`, 60_000);
    await awaitCanaryPhase(cp, NAMESPACE, gated, 'WaitingPromotion', 5 * 60_000);
    const heldAt = Date.now();
    note(`Flagger: ${gated} waiting for approval`);
    // Three of Flagger's own ticks later (counted at the gate it asks, not by a clock a loaded
    // machine would stretch) it is still held, and users are still served by the old version.
    const refusals = () => app.network.webhooks.filter((w) => w.name === gated && w.path === '/gate/check' && w.status === 403 && w.at >= heldAt);
    await waitUntil(`three of Flagger's checks of ${gated}'s closed gate`, async () => refusals().length >= 3, 5 * 60_000, cp.processes, () => `${refusals().length} refused`);
    note(`gate refused ${refusals().length} checks`);
    expect((await canaryState(cp, NAMESPACE, gated)).phase).toBe('WaitingPromotion');
    expect(await revision(`${gated}-primary`)).toBe('');
    expect(alerts(gated, at).map((a) => a.text)).toContain('Canary promotion is waiting for approval.');

    const response = await fetch(`${app.loadtester}/gate/open`, { method: 'POST', body: JSON.stringify({ name: gated, namespace: NAMESPACE }) });
    expect(response.status).toBe(202);
    note('gate opened');
    expect(await verdict(gated)).toBe('Succeeded');
    expect(await revision(`${gated}-primary`)).toBe('1.2.0');
  });

  it('2.0.0, a major release, is not picked up by a subscription to 1.x', async () => {
    await release('2.0.0', { change: (dist) => appendFileSync(join(dist, 'namespace.yaml'), '# 2.0.0\n') });
    // A reconcile that has listed the registry's tags with 2.0.0 among them.
    const after = await reconcileNow(cp, 'ocirepository', 'webapp');
    expect(after.ready).toBe('True');
    expect(after.revision).toMatch(/^1\.2\.0@sha256:/);
    expect((await status('kustomization', 'webapp'))?.revision).toMatch(/^1\.2\.0@/);
    note('2.0.0 ignored by the >=1.0.0 <2.0.0 subscription');
  });

  it('an interrupted publish of 1.3.0 is never seen by Flux as a release', async () => {
    // Stop the registry right after the first blob is accepted: the layer may be there, the tag is not.
    proxy.afterResponse(async (request) => {
      if (request.startsWith('PUT') && request.includes('/blobs/uploads/')) {
        proxy.afterResponse(undefined);
        await registry.stop();
      }
    });
    await expect(release('1.3.0', { change: (dist) => appendFileSync(join(dist, 'namespace.yaml'), '# 1.3.0\n') }, proxy.host)).rejects.toThrow(RegistryError);
    note('publish of 1.3.0 interrupted (registry stopped mid-push)');
    await registry.start();
    expect((await reconcileNow(cp, 'ocirepository', 'webapp')).revision).toMatch(/^1\.2\.0@sha256:/);
    expect((await status('kustomization', 'webapp'))?.revision).toMatch(/^1\.2\.0@/);
    note('Flux still on 1.2.0');
  });

  it("signed releases: a source that requires the vendor's signature takes a release signed with its key, and refuses an unsigned or re-signed one", async () => {
    const repository = `${registry.host}/webapp/${ENV}`;
    const vendor = await generateKeyPair(mkdtempSync(join(cp.workDir, 'vendor-key-')));
    const other = await generateKeyPair(mkdtempSync(join(cp.workDir, 'other-key-')));
    await signByDigest(vendor, repository, published.get('1.1.0')!);
    await signByDigest(other, repository, published.get('1.2.0')!);
    // 1.1.1 stays unsigned.
    const keySecret = 'webapp-release-key';
    await cp.kubectl('create', 'secret', 'generic', keySecret, '-n', FLUX_NAMESPACE, `--from-file=cosign.pub=${vendor.publicKey}`);
    // The bundle's own source with verify, as `canaryship bundle --signed-by-key` writes it, pinned to one tag at a time.
    const source = providerBundle({ environment: ENV, repository, version: '1.0.0', insecure: true, verify: { publicKeySecret: keySecret } }).find((o) => o.object.kind === 'OCIRepository' && o.object.metadata?.name === 'webapp')!.object as { metadata: { name: string }; spec: Record<string, unknown> };
    expect(source.spec['verify']).toEqual({ provider: 'cosign', secretRef: { name: keySecret } });
    const pinned = (tag: string) => toYaml({ ...source, metadata: { ...source.metadata, name: 'webapp-signed' }, spec: { ...source.spec, ref: { tag } } });
    const file = join(cp.workDir, 'signed-source.yaml');
    const at = async (tag: string): Promise<{ status: FluxStatus; verified: string | undefined }> => {
      writeFileSync(file, pinned(tag));
      await cp.kubectl('apply', '--server-side', '--field-manager=provider', '-f', file);
      const status = await reconcileNow(cp, 'ocirepository', 'webapp-signed');
      const verified = (await cp.kubectl('get', 'ocirepository.source.toolkit.fluxcd.io', 'webapp-signed', '-n', FLUX_NAMESPACE, '-o', 'jsonpath={.status.conditions[?(@.type=="SourceVerified")].status}')).stdout;
      return { status, verified: verified || undefined };
    };

    const signed = await at('1.1.0');
    expect(signed.status).toMatchObject({ ready: 'True', revision: `1.1.0@${published.get('1.1.0')}` });
    expect(signed.verified).toBe('True');
    note('signed 1.1.0 verified and pulled');
    for (const refused of ['1.1.1', '1.2.0']) {
      const { status, verified } = await at(refused);
      expect(status).toMatchObject({ ready: 'False', reason: 'VerificationError' });
      expect(status.message).toContain("failed to verify the signature using provider 'cosign'");
      expect(verified).toBe('False');
      // What the source serves is still the signed release.
      expect(status.revision).toBe(`1.1.0@${published.get('1.1.0')}`);
    }
    note('unsigned 1.1.1 and 1.2.0 signed with another key refused');
  });

  it('diagnostics name each Canary with its phase and each Flux object with its revision, and say which sections cannot be read', async () => {
    const report = await diagnose(cp, ENV, NAMESPACE);
    for (const name of DEFINITIONS[ENV].services.map((s) => s.input.name)) expect(report).toMatch(new RegExp(`^${name}\\s+(Succeeded|Failed|Initialized)\\b`, 'm'));
    expect(report).toMatch(/^ocirepository\.source\.toolkit\.fluxcd\.io\/webapp\s.*1\.2\.0@sha256:/m);
    expect(report).toMatch(/^kustomization\.kustomize\.toolkit\.fluxcd\.io\/webapp\s.*1\.2\.0@sha256:/m);
    // Flagger runs beside this control plane, not in a pod: its section says so rather than failing the rest.
    expect(report).toMatch(/== Flagger log\n(\(not readable: .*\)|No resources found.*)/);
  });

  it('answered users all along: a release that breaks reaches only its canary’s share of them', () => {
    users?.stop();
    const requests = users?.requests ?? [];
    expect(requests.length).toBeGreaterThan(500);
    expect(requests.filter((r) => r.status === 200).length / requests.length).toBeGreaterThan(0.8);
  });
});
