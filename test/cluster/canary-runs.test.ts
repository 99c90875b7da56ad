/**
 * Promotion and rollback of all twelve canaries against the real Flagger, API server, Prometheus and
 * loadtester (tools/cluster). Per environment, all four services at once: a good revision is
 * promoted, a bad one (telemetry breaking an SLO) rolled back with the primary unchanged, one whose
 * conformance test fails stopped before any traffic moves. Prints the timing table.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable, runCanaries, type CanaryResult, type EnvironmentReport, type ManifestResult } from '@canaryship/cluster';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, ROOT } from '../support/distribution.js';

let reports: readonly EnvironmentReport[] = [];
let providerManifests: readonly ManifestResult[] = [];
const FLUX_EXAMPLES = join(ROOT, 'examples/flux');
const results = (scenario: CanaryResult['scenario']): CanaryResult[] => reports.flatMap((r) => r.results.filter((x) => x.scenario === scenario));

beforeAll(async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'canaryship-cluster-'));
  const run = await runCanaries({
    workDir,
    distRoot: join(ROOT, 'environments'),
    environments: ENVIRONMENT_NAMES,
    providerManifests: readdirSync(FLUX_EXAMPLES).filter((f) => f.endsWith('.yaml')).map((f) => join(FLUX_EXAMPLES, f)),
    onProgress: (message) => process.stderr.write(`cluster: ${message}\n`),
  });
  reports = run.environments;
  providerManifests = run.providerManifests;
  const table = formatTable(reports);
  writeFileSync(join(workDir, 'canary-timings.md'), `${table}\n`);
  process.stdout.write(`\nCanary runs (interval 10s; predicted from Flagger's schedule):\n${table}\n\n`);
});

describe('canary runs on the local control plane', () => {
  it("accepts a provider's Flux objects (OCIRepository v1, Kustomization v1) against Flux's own CRDs", () => {
    expect(providerManifests.length).toBeGreaterThan(0);
    for (const m of providerManifests) {
      expect(m.accepted, m.output).toBe(true);
      expect(m.output).toContain('ocirepository.source.toolkit.fluxcd.io/webapp serverside-applied');
    }
  });

  it('server-side applies every distribution into a restricted namespace without a warning', () => {
    expect(reports.map((r) => r.environment)).toEqual([...ENVIRONMENT_NAMES]);
    for (const report of reports) expect(report.applyWarnings, report.environment).toEqual([]);
  });

  it('promotes a good revision of all twelve canaries', () => {
    const promoted = results('promote');
    expect(promoted).toHaveLength(12);
    for (const r of promoted) {
      expect([r.environment, r.service, r.phase, r.primaryRevision]).toEqual([r.environment, r.service, 'Succeeded', 'r1']);
      expect(r.loadTests, `${r.environment}/${r.service} had traffic`).toBeGreaterThan(0);
      if (r.strategy === 'progressive canary') expect(r.maxWeight, `${r.environment}/${r.service} stepped to maxWeight`).toBe(60);
    }
  });

  it('rolls back a revision that breaks its SLOs, leaving the primary on the last good one', () => {
    const rolledBack = results('rollback');
    expect(rolledBack).toHaveLength(12);
    for (const r of rolledBack) {
      expect([r.environment, r.service, r.phase, r.primaryRevision]).toEqual([r.environment, r.service, 'Failed', 'r1']);
      expect(r.failedChecks, `${r.environment}/${r.service} failed its checks`).toBeGreaterThanOrEqual(2);
      if (r.strategy === 'progressive canary') expect(r.maxWeight, `${r.environment}/${r.service} stopped at the first step`).toBeLessThanOrEqual(20);
    }
  });

  it('stops a revision whose conformance test fails before any traffic moves', () => {
    const stopped = results('conformance');
    expect(stopped).toHaveLength(12);
    for (const r of stopped) {
      expect([r.environment, r.service, r.phase, r.primaryRevision]).toEqual([r.environment, r.service, 'Failed', 'r1']);
      expect(r.maxWeight, `${r.environment}/${r.service} moved no traffic`).toBe(0);
      expect(r.loadTests, `${r.environment}/${r.service} started no load test`).toBe(0);
    }
  });
});
