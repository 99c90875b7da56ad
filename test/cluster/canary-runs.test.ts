/**
 * Releases of every canary of every environment against the real Flagger, API server, Prometheus,
 * loadtester and hey, on the local control plane, with users' traffic through the entry all along
 * (tools/cluster). Per environment: a good release is promoted and users reach each canary as its strategy says; a
 * release that breaks its SLOs is rolled back; one whose checks fail is stopped before traffic moves;
 * a service that cannot reach what it calls is stopped; a good one is not blamed for a dependency
 * that fails for everyone; afterwards a user's request proves every hop. Which services play those
 * parts follows from the app's path (rolesOf: backend and database in the demo). Prints the tables.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callTreeOf, faultyConfig, isDelayed, rolesOf, SHORTENED, formatShares, formatTable, primariesOnThePath, runCanaries, type CanaryResult, type EnvironmentReport, type ManifestResult, type UserShare } from '@canaryship/cluster';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_PROFILES, renderProviderBundle, toYaml } from '@canaryship/blocks';
import { kustomizeBuild } from '@canaryship/validate';
import { DEFINITIONS, ENVIRONMENT_NAMES, ROOT } from '../support/distribution.js';
import { componentsOf, SUBSCRIPTION, writeSubscription } from '../support/subscription.js';

let reports: readonly EnvironmentReport[] = [];
let providerManifests: readonly ManifestResult[] = [];

/**
 * Every provider bundle's Flux objects as files, and the overlay a provider lists every
 * customisation example in (kustomize components), built by kustomize. The notifications
 * example's AlertProvider, for the app's namespace that does not exist yet when these are
 * applied, is not in it: its schema is checked in test/provider.
 */
async function providerBundleFiles(workDir: string): Promise<string[]> {
  const perEnvironment = ENVIRONMENT_NAMES.map(async (env) => {
    const files = renderProviderBundle(DEFINITIONS[env], { repository: `ghcr.io/acme/webapp/${env}`, version: '1.0.0' }, DEFINITIONS[env].entry.upstream);
    const dir = writeSubscription(join(workDir, 'bundles', env), files, componentsOf(files));
    const overlay = join(dir, 'with-every-example.yaml');
    writeFileSync(overlay, (await kustomizeBuild(dir)).map((o) => toYaml(o)).join('---\n'));
    const fluxObjects = files.filter((f) => f.path.startsWith('sources/') || f.path.startsWith('sync/')).map((f) => join(dir, SUBSCRIPTION, f.path));
    return [...fluxObjects, overlay];
  });
  return (await Promise.all(perEnvironment)).flat();
}

/** Which services play the scenarios' parts in `env`, from its path. */
const roles = (env: string) => rolesOf(callTreeOf(DEFINITIONS[env as (typeof ENVIRONMENT_NAMES)[number]]));

/** Every service of every environment has a Canary. */
const CANARIES = ENVIRONMENT_NAMES.reduce((n, env) => n + DEFINITIONS[env].services.length, 0);
const results = (scenario: CanaryResult['scenario']): CanaryResult[] => reports.flatMap((r) => r.results.filter((x) => x.scenario === scenario));
const shares = (filter: (s: UserShare) => boolean): UserShare[] => reports.flatMap((r) => r.shares.filter(filter));

beforeAll(async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'canaryship-cluster-'));
  const run = await runCanaries({
    workDir,
    distRoot: join(ROOT, 'environments'),
    environments: ENVIRONMENT_NAMES,
    paths: { kubernetes: callTreeOf(DEFINITIONS.kubernetes), istio: callTreeOf(DEFINITIONS.istio), linkerd: callTreeOf(DEFINITIONS.linkerd) },
    providerManifests: await providerBundleFiles(workDir),
    onProgress: (message) => process.stderr.write(`cluster: ${message}\n`),
  });
  reports = run.environments;
  providerManifests = run.providerManifests;
  const tables = `Releases (interval ${SHORTENED.interval}; predicted from Flagger's schedule):\n${formatTable(reports)}\n\nUsers through the entry, per weight step:\n${formatShares(reports)}\n`;
  writeFileSync(join(workDir, 'canary-runs.md'), tables);
  process.stdout.write(`\n${tables}\nCharts (the plan, and each release drawn over it): ${join(workDir, 'charts')}\n`);
});

describe('canary runs on the local control plane', () => {
  it("accepts every provider bundle's Flux objects (OCIRepository v1, Kustomization v1), with every example listed, against Flux's own CRDs", () => {
    expect(providerManifests.length).toBe(ENVIRONMENT_NAMES.length * 5);
    for (const m of providerManifests) expect(m.accepted, `${m.file}: ${m.output}`).toBe(true);
    const applied = providerManifests.map((m) => m.output).join('');
    expect(applied).toContain('ocirepository.source.toolkit.fluxcd.io/webapp serverside-applied');
    expect(applied).toContain('kustomization.kustomize.toolkit.fluxcd.io/flagger serverside-applied');
  });

  it('server-side applies every distribution into a restricted namespace without a warning', () => {
    expect(reports.map((r) => r.environment)).toEqual([...ENVIRONMENT_NAMES]);
    for (const report of reports) expect(report.applyWarnings, report.environment).toEqual([]);
  });

  it('promotes a good revision of every canary', () => {
    const promoted = results('promote');
    expect(promoted).toHaveLength(CANARIES);
    for (const r of promoted) {
      expect([r.environment, r.service, r.phase, r.primaryRevision]).toEqual([r.environment, r.service, 'Succeeded', 'r1']);
      expect(r.loadTests, `${r.environment}/${r.service} had traffic`).toBeGreaterThan(0);
      // A good release fails no check that had values.
      expect(r.failedChecks - r.noValueChecks, `${r.environment}/${r.service} failed checks with values`).toBe(0);
      if (r.strategy === 'progressive canary') expect(r.maxWeight, `${r.environment}/${r.service} stepped to maxWeight`).toBe(SHORTENED.maxWeight);
    }
  });

  it('rolls back a revision that breaks its SLOs, leaving the primary on the last good one', () => {
    const rolledBack = results('rollback');
    expect(rolledBack).toHaveLength(CANARIES);
    for (const r of rolledBack) {
      expect([r.environment, r.service, r.phase, r.primaryRevision]).toEqual([r.environment, r.service, 'Failed', 'r1']);
      expect(r.failedChecks, `${r.environment}/${r.service} failed its checks`).toBeGreaterThanOrEqual(2);
      // The first step, and one more per check it passed before its failed checks reached the threshold.
      if (r.strategy === 'progressive canary') expect(r.maxWeight, `${r.environment}/${r.service} stopped at the step its checks allowed`).toBe(r.stoppedBy === 'conformance' ? 0 : SHORTENED.stepWeight * (1 + r.passedChecks));
      expect(r.maxWeight, `${r.environment}/${r.service} never reached its last step`).toBeLessThan(SHORTENED.maxWeight);
    }
    // podinfo's random errors hit the conformance requests too: stopped by the checks or by the
    // error SLOs, whichever meets them first (random on a real cluster, as here). The delays pass the
    // checks and are caught by the response-time SLOs while the canary takes traffic.
    const delayed = rolledBack.filter((x) => isDelayed(faultyConfig(x.service, roles(x.environment))));
    expect(delayed.length).toBeGreaterThan(0);
    for (const r of delayed) expect(r.stoppedBy, `${r.environment}/${r.service}`).toBe('analysis');
  });

  it('stops a revision whose conformance test fails before any traffic moves', () => {
    // Every canary but the caller, which in the same release calls a service that does not exist (below).
    const stopped = results('conformance');
    expect(stopped).toHaveLength(CANARIES - ENVIRONMENT_NAMES.length);
    for (const r of stopped) {
      expect([r.environment, r.service, r.phase, r.primaryRevision]).toEqual([r.environment, r.service, 'Failed', 'r1']);
      expect(r.routed, `${r.environment}/${r.service}: the routes sent no user to the canary`).toBe(false);
      expect(r.loadTests, `${r.environment}/${r.service} started no load test`).toBe(0);
      expect(r.stoppedBy).toBe('conformance');
    }
  });

  it('stops a service that cannot reach what it calls, in every environment, before any traffic moves', () => {
    const stopped = results('bad-downstream');
    expect(stopped.map((r) => [r.environment, r.service, r.phase, r.primaryRevision, r.routed, r.loadTests, r.stoppedBy])).toEqual(ENVIRONMENT_NAMES.map((env) => [env, roles(env).caller, 'Failed', 'r1', false, 0, 'conformance']));
  });

  it('does not blame a good service for a dependency that fails for everyone: it is promoted, passing every check that had values', () => {
    const promoted = results('broken-dependency');
    // Its only failed checks, if any, are those before two scrapes had seen the new canary (Flagger's log says which).
    expect(promoted.map((r) => [r.environment, r.service, r.phase, r.primaryRevision, r.failedChecks - r.noValueChecks])).toEqual(ENVIRONMENT_NAMES.map((env) => [env, roles(env).caller, 'Succeeded', 'r5', 0]));
  });

  it('measures every outcome inside the window `canaryship plan` predicts, one interval later per check that did not go its way, and draws it on the plan’s chart', () => {
    for (const r of reports.flatMap((report) => report.results)) {
      const chart = readFileSync(r.chart, 'utf8');
      expect(chart, r.chart).toContain('class="predicted"');
      expect(chart, r.chart).toContain(`${r.phase} at ${r.seconds}s`);
      const interval = r.predicted.high - r.predicted.low; // the window is one interval wide
      // A failed check that does not end a release holds it for that interval, and so does a check
      // that passes in a release its failed checks end (Flagger's log counts them): one more tick each.
      const held = (r.phase === 'Succeeded' ? r.failedChecks : r.passedChecks) * interval;
      // Half an interval either way for what the schedule does not count: the work of a tick before
      // Flagger writes the phase, whole seconds in its timestamp. A tick more or less is outside.
      // Later by as much as Flagger's own ticks slipped behind their interval (its log's timestamps):
      // what a loaded machine adds, measured rather than allowed for in advance.
      const slack = interval / 2;
      const what = `${r.environment}/${r.service} ${r.scenario}, ${r.failedChecks} failed and ${r.passedChecks} passed checks, Flagger's ticks ${r.lateSeconds}s late, checks at ${r.checksAt.join(', ')} s`;
      expect(r.seconds, what).toBeGreaterThanOrEqual(r.predicted.low + held - slack);
      expect(r.seconds, what).toBeLessThanOrEqual(r.predicted.high + held + slack + r.lateSeconds);
    }
  });

  it('sends users who match no rule to a canary in the share of its route weight, at every step of every strategy', () => {
    const unmatched = shares((s) => !(s.matchRule && (s.kind === 'insider' || s.kind === 'cookie' || s.kind === 'returning')));
    // Progressive canaries step through every weight to maxWeight (20, 40, 60); blue/green and
    // mirroring on a mesh send everyone to the canary for the last interval before promotion
    // ("Routing all traffic to canary").
    const promoted = results('promote');
    const steps = Array.from({ length: SHORTENED.maxWeight / SHORTENED.stepWeight }, (_, i) => (i + 1) * SHORTENED.stepWeight);
    const progressive = promoted.filter((r) => r.strategy === 'progressive canary').map((r) => `${r.environment}/${r.service}`);
    expect(progressive.length, 'some canary is progressive').toBeGreaterThan(0);
    expect(new Set(unmatched.filter((s) => s.strategy === 'progressive canary' && s.kind === 'plain' && s.weight > 0).map((s) => `${s.environment}/${s.service}/${s.weight}`))).toEqual(
      new Set(progressive.flatMap((k) => steps.map((w) => `${k}/${w}`))),
    );
    const blueGreenOnAMesh = promoted.filter((r) => ENVIRONMENT_PROFILES[r.environment].mesh !== 'none' && r.strategy.startsWith('blue/green')).map((r) => `${r.environment}/${r.service}`);
    expect(new Set(unmatched.filter((s) => s.weight === 100).map((s) => `${s.environment}/${s.service}`))).toEqual(new Set(blueGreenOnAMesh));
    for (const s of unmatched) {
      const p = s.weight / 100;
      const where = `${s.environment}/${s.service} ${s.kind} at ${s.weight}%: ${s.toCanary}/${s.requests}`;
      if (p === 0 || p === 1) expect(s.toCanary, where).toBe(p * s.requests);
      else {
        // Independent draws: four standard deviations of a binomial share (about a dozen cells per
        // run, so a false alarm in one of them stays near 1 in 1000), at least 10 points while samples are few.
        expect(s.requests, where).toBeGreaterThanOrEqual(20);
        expect(Math.abs(s.toCanary / s.requests - p), where).toBeLessThanOrEqual(Math.max(0.1, 4 * Math.sqrt((p * (1 - p)) / s.requests)));
      }
    }
    // On plain Kubernetes the Service only ever selects the primary: no user reaches a canary.
    const plain = shares((s) => s.environment === 'kubernetes');
    expect(plain.reduce((n, s) => n + s.requests, 0)).toBeGreaterThan(100);
    for (const s of plain) expect(s.toCanary, `kubernetes/${s.service}`).toBe(0);
  });

  // The Linkerd canaries whose strategy keeps a user on one version (frontend in the demo).
  const affine = DEFINITIONS.linkerd.services.filter((s) => 'sessionAffinity' in s.strategy && s.strategy.sessionAffinity).map((s) => s.input.name);
  it.runIf(affine.length > 0)('keeps a returning user on the version that first answered them (session affinity on Linkerd)', () => {
    const sticky = shares((s) => s.environment === 'linkerd' && affine.includes(s.service) && s.kind === 'returning' && s.matchRule);
    expect(sticky.length).toBeGreaterThan(0);
    // Once the canary answered them, the cookie keeps them there: from the second step on, every request.
    const later = sticky.filter((s) => s.weight >= 40);
    expect(later.reduce((n, s) => n + s.requests, 0)).toBeGreaterThan(20);
    expect(later.reduce((n, s) => n + s.toCanary, 0)).toBe(later.reduce((n, s) => n + s.requests, 0));
  });

  it('sends exactly the users carrying the A/B header or cookie to an A/B canary', () => {
    const matched = shares((s) => s.strategy === 'A/B testing' && s.matchRule && s.weight === 0);
    expect(new Set(matched.map((s) => s.kind))).toEqual(new Set(['insider', 'cookie', 'plain']));
    for (const s of matched) expect([s.kind, s.toCanary], `${s.environment}/${s.service}`).toEqual([s.kind, s.kind === 'plain' ? 0 : s.requests]);
  });

  it('copies users’ traffic to a mirrored canary without any user getting its answer', () => {
    const mirrored = shares((s) => s.strategy === 'blue/green + mirroring' && s.mirror);
    expect(mirrored.reduce((n, s) => n + s.requests, 0)).toBeGreaterThan(100);
    for (const s of mirrored) {
      expect(s.toCanary).toBe(0);
      expect(s.mirrored / s.requests).toBeGreaterThan(0.9);
    }
    // Without a mirror, no copies.
    for (const s of shares((x) => !x.mirror)) expect(s.mirrored, `${s.environment}/${s.service}`).toBe(0);
  });

  it('answers users throughout every release; after them, one request proves every hop, all served by primaries', () => {
    for (const report of reports) {
      expect(report.users.requests, report.environment).toBeGreaterThan(500);
      // Over the whole run: releases that break things break them for the canary's share of users only.
      expect(report.users.answered / report.users.requests, `${report.environment}: ${report.users.failed.join('; ')}`).toBeGreaterThan(0.8);
      expect(report.communication, report.environment).toMatchObject({ ok: true });
      expect(report.communication.servedBy).toEqual(primariesOnThePath(callTreeOf(DEFINITIONS[report.environment])));
    }
  });

  it('drops nothing on the traffic path: the NetworkPolicies refused no connection the app made', () => {
    for (const report of reports) expect(report.refused, report.environment).toEqual([]);
  });

  it('answers every request with the model of the pods and the network, never a model error', () => {
    for (const report of reports) expect(report.modelErrors, report.environment).toEqual([]);
  });
});
