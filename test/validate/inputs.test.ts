/**
 * Broken service inputs: each is rejected with its own issue (service, environment, field), and
 * nothing is written. A property test over generated inputs: every input either renders into a
 * distribution that passes validation, or is rejected with a DistributionError; never a crash.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backend } from '@canaryship/backend';
import {
  abTesting,
  blueGreen,
  composeDistribution,
  cookie,
  DistributionError,
  mirrored,
  progressive,
  type DistributionDefinition,
  type Issue,
} from '@canaryship/blocks';
import { renderTo } from '@canaryship/cli';
import { loadtester } from '@canaryship/loadtester';
import { defaultSchemaRegistry, distributionOf, validateDistribution } from '@canaryship/validate';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-inputs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const base = backend.input;
type Env = DistributionDefinition['environment'];

const one = (env: Env, input: unknown, strategy: unknown): DistributionDefinition =>
  ({ environment: env, testRunner: loadtester, services: [{ input, strategy }] }) as DistributionDefinition;

/** backend calls cache and database; these stand-ins make those calls resolve. */
const callees = ['cache', 'database'].map((name) => ({ input: { ...base, name, config: { ...base.config, calls: [] } }, strategy: blueGreen({ iterations: 5 }) }));
const withCallees = (definition: DistributionDefinition): DistributionDefinition => ({ ...definition, services: [...definition.services, ...callees] as DistributionDefinition['services'] });

const INPUT_CASES: { name: string; definition: DistributionDefinition; code: string; path: string }[] = [
  { name: 'availability above 100%', definition: one('istio', { ...base, slo: { ...base.slo, availabilityPercent: 120 } }, blueGreen({ iterations: 5 })), code: 'input.invalid', path: 'slo.availabilityPercent' },
  { name: 'a replica count as a string', definition: one('kubernetes', { ...base, autoscaling: { ...base.autoscaling, minReplicas: '2' } }, blueGreen({ iterations: 5 })), code: 'input.invalid', path: 'autoscaling.minReplicas' },
  { name: 'an unknown field', definition: one('linkerd', { ...base, replicas: 3 }, blueGreen({ iterations: 5 })), code: 'input.invalid', path: 'replicas' },
  { name: 'an interval under Flagger minimum', definition: one('istio', { ...base, analysis: { ...base.analysis, interval: '5s' } }, blueGreen({ iterations: 5 })), code: 'input.invalid', path: 'analysis.interval' },
  { name: 'progressive canary on plain Kubernetes', definition: one('kubernetes', base, progressive({ stepWeight: 10, maxWeight: 50 })), code: 'strategy.unsupported', path: 'strategy.kind' },
  { name: 'mirroring on Linkerd', definition: one('linkerd', base, mirrored({ iterations: 5 })), code: 'strategy.unsupported', path: 'strategy.kind' },
  { name: 'a cookie match on Linkerd', definition: one('linkerd', base, abTesting({ iterations: 5, match: [cookie('canary', 'always')] })), code: 'strategy.unsupported', path: 'strategy.match.0' },
  { name: 'a threshold no strategy run can reach', definition: one('istio', { ...base, analysis: { interval: '1m', threshold: 7 } }, progressive({ stepWeight: 20, maxWeight: 100 })), code: 'analysis.threshold-unreachable', path: 'analysis.threshold' },
  { name: 'a call to a service that is not there', definition: one('istio', base, blueGreen({ iterations: 5 })), code: 'service.unknown-call', path: 'config.calls.0' },
  { name: 'an unpinned podinfo', definition: one('kubernetes', { ...base, podinfoVersion: 'latest' }, blueGreen({ iterations: 5 })), code: 'input.invalid', path: 'podinfoVersion' },
  { name: 'a limit below its request', definition: one('istio', { ...base, resources: { requests: { cpu: '2', memory: '64Mi' }, limits: { cpu: '1', memory: '64Mi' } } }, blueGreen({ iterations: 5 })), code: 'input.invalid', path: 'resources.limits.cpu' },
  { name: 'a conformance body that breaks the shell', definition: one('linkerd', { ...base, conformance: [{ name: 'x', method: 'POST', path: '/echo', body: "'; reboot; '" }] }, blueGreen({ iterations: 5 })), code: 'input.invalid', path: 'conformance.0.body' },
  { name: 'fewer max than min replicas', definition: one('istio', { ...base, autoscaling: { ...base.autoscaling, maxReplicas: 1 } }, blueGreen({ iterations: 5 })), code: 'input.invalid', path: 'autoscaling.maxReplicas' },
  { name: 'a step above the maximum weight', definition: one('linkerd', base, { kind: 'progressive', stepWeight: 60, maxWeight: 50 }), code: 'strategy.invalid', path: 'strategy.stepWeight' },
];

describe('bad service inputs', () => {
  it.each(INPUT_CASES.map((c) => [c.name, c] as const))('%s: its own issue, nothing written', async (_name, c) => {
    const out = join(scratch, c.name.replace(/\W+/g, '-'));
    const definition = c.code === 'service.unknown-call' ? c.definition : withCallees(c.definition);
    const error = await renderTo(definition, out).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DistributionError);
    const issues = (error as DistributionError).issues;
    expect(issues.map((i: Issue) => `${i.code} ${i.path}`)).toContain(`${c.code} ${c.path}`);
    expect(issues.every((i) => i.environment === definition.environment && i.service !== undefined)).toBe(true);
    expect(existsSync(out)).toBe(false);
  });
});

describe('any service input', () => {
  /** Mostly valid values, sometimes invalid ones, rarely anything at all: both paths get exercised. */
  const mostly = <T>(valid: fc.Arbitrary<T>, invalid?: fc.Arbitrary<unknown>) =>
    fc.oneof(
      { weight: 20, arbitrary: valid as fc.Arbitrary<unknown> },
      { weight: 2, arbitrary: invalid ?? fc.anything() },
      { weight: 1, arbitrary: fc.anything() },
    );
  const resources = fc
    .record({ cpu: fc.constantFrom(50, 100, 250, 1000), memory: fc.constantFrom(32, 64, 256), factor: fc.constantFrom(1, 2, 4) })
    .map(({ cpu, memory, factor }) => ({ requests: { cpu: `${cpu}m`, memory: `${memory}Mi` }, limits: { cpu: `${cpu * factor}m`, memory: `${memory * factor}Mi` } }));
  const inputArb = fc.record({
    name: mostly(fc.constantFrom('api', 'web-2', 'x'), fc.constantFrom('Bad_Name', '', 'a'.repeat(50))),
    description: mostly(fc.constant('a service'), fc.constant('')),
    config: mostly(
      fc.record({ message: fc.constantFrom('hi', 'api'), color: fc.constantFrom('#123456', '#abcdef') }),
      fc.record({ message: fc.constant('hi'), color: fc.constant('red'), calls: fc.constant(['ghost']) }),
    ),
    resources: mostly(resources, fc.constant({ requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1', memory: '64Mi' } })),
    autoscaling: mostly(
      fc.record({ minReplicas: fc.integer({ min: 1, max: 3 }), maxReplicas: fc.integer({ min: 3, max: 8 }), targetCpuUtilizationPercent: fc.integer({ min: 1, max: 100 }) }),
      fc.record({ minReplicas: fc.integer({ min: -1, max: 9 }), maxReplicas: fc.integer({ min: 0, max: 2 }), targetCpuUtilizationPercent: fc.integer({ min: 101, max: 200 }) }),
    ),
    analysis: mostly(
      fc.record({ interval: fc.constantFrom('10s', '30s', '1m', '2m'), threshold: fc.integer({ min: 1, max: 2 }) }),
      fc.record({ interval: fc.constantFrom('5s', '1h', 'soon'), threshold: fc.integer({ min: 0, max: 200 }) }),
    ),
    slo: mostly(
      fc.record({
        availabilityPercent: fc.double({ min: 90, max: 100, noNaN: true, minExcluded: true }),
        errorRatePercent: fc.double({ min: 0, max: 10, noNaN: true }),
        averageResponseTimeMs: fc.integer({ min: 1, max: 100 }),
        p99ResponseTimeMs: fc.integer({ min: 100, max: 2000 }),
      }),
      fc.record({ availabilityPercent: fc.double({ min: 100.001, max: 1e6, noNaN: true }), errorRatePercent: fc.constant(-1), averageResponseTimeMs: fc.constant(0), p99ResponseTimeMs: fc.constant(0) }),
    ),
    conformance: mostly(
      fc.array(fc.record({ name: fc.constantFrom('ready', 'version'), path: fc.constantFrom('/readyz', '/version') }), { minLength: 1, maxLength: 2 }),
      fc.constantFrom([], [{ name: 'x', path: 'readyz' }]),
    ),
  });
  const strategyArb = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('blue-green'), iterations: fc.integer({ min: 0, max: 12 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('blue-green-mirroring'), iterations: fc.integer({ min: 1, max: 12 }), mirrorWeight: fc.integer({ min: 1, max: 100 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('progressive'), stepWeight: fc.integer({ min: 1, max: 60 }), maxWeight: fc.integer({ min: 1, max: 110 }) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('progressive'),
        stepWeights: fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }).map((ws) => [...ws].sort((a, b) => a - b)),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('ab-testing'),
        iterations: fc.integer({ min: 1, max: 12 }),
        match: fc.constantFrom([{ on: 'header', name: 'x-canary', exact: 'insider' }], [{ on: 'cookie', name: 'canary', value: 'always' }]),
      }),
    },
    { weight: 1, arbitrary: fc.anything() },
  );

  it('is rendered into a valid distribution, or rejected with a validation error', async () => {
    const schemas = await defaultSchemaRegistry();
    let rendered = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Env>('kubernetes', 'istio', 'linkerd'), inputArb, strategyArb, async (env, input, strategy) => {
        let composed;
        try {
          composed = composeDistribution(one(env, input, strategy));
        } catch (error) {
          if (error instanceof DistributionError && error.issues.length > 0) return;
          throw error;
        }
        rendered += 1;
        const findings = await validateDistribution(distributionOf(composed, scratch), { schemas, layers: ['schema', 'references', 'policy'] });
        expect(findings).toEqual([]);
      }),
      { numRuns: 300, seed: 20261126 },
    );
    // The generator must exercise the success path too, not only rejections.
    expect(rendered).toBeGreaterThan(30);
  });
});
