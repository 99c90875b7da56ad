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
import { defaultSchemaRegistry, distributionOf, loadDistribution, validateDistribution, validateDistributions } from '@canaryship/validate';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { definitionOf } from '../support/distribution.js';
import { documentedCount } from '../support/docs.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-inputs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const base = backend.input;
type Env = DistributionDefinition['environment'];

const one = (env: Env, input: unknown, strategy: unknown): DistributionDefinition => definitionOf(env, [{ input, strategy }]);

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
  { name: 'a conformance body with a control character', definition: one('linkerd', { ...base, conformance: [{ name: 'x', method: 'POST', path: '/echo', body: 'a\u001bb' }] }, blueGreen({ iterations: 5 })), code: 'input.invalid', path: 'conformance.0.body' },
  { name: 'a service named like the test runner folder', definition: one('istio', { ...base, name: 'loadtester', config: { ...base.config, calls: [] } }, blueGreen({ iterations: 5 })), code: 'distribution.path-collision', path: 'name' },
  { name: 'a service named like the entry', definition: one('linkerd', { ...base, name: 'entry', config: { ...base.config, calls: [] } }, blueGreen({ iterations: 5 })), code: 'distribution.path-collision', path: 'name' },
  { name: 'a service named like the test runner', definition: one('kubernetes', { ...base, name: 'flagger-loadtester', config: { ...base.config, calls: [] } }, blueGreen({ iterations: 5 })), code: 'flagger.name-collision', path: 'name' },
  { name: 'fewer max than min replicas', definition: one('istio', { ...base, autoscaling: { ...base.autoscaling, maxReplicas: 1 } }, blueGreen({ iterations: 5 })), code: 'input.invalid', path: 'autoscaling.maxReplicas' },
  { name: 'a step above the maximum weight', definition: one('linkerd', base, { kind: 'progressive', stepWeight: 60, maxWeight: 50 }), code: 'strategy.invalid', path: 'strategy.stepWeight' },
];

describe('bad service inputs', () => {
  it('are as many as the docs say', () => expect(documentedCount('broken service inputs')).toBe(INPUT_CASES.length));

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
  /**
   * Each generated case knows its answer: a valid input (anywhere inside the documented bounds)
   * must render into a distribution that passes validation; an input broken in one known way must
   * be rejected with an issue at that field. A rejection is never counted as a pass on its own.
   */
  interface Case {
    readonly env: Env;
    readonly input: Record<string, unknown>;
    readonly strategy: Record<string, unknown>;
    /** undefined: valid; otherwise the issue path the rejection must name. */
    readonly broken?: string;
  }

  const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 80 });
  const dnsLabel = fc
    .stringMatching(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/)
    .filter((n) => !/-(primary|canary)$/.test(n) && !['loadtester', 'flagger-loadtester', 'entry'].includes(n));
  const cpu = fc.oneof(fc.integer({ min: 1, max: 256_000 }).map((m) => `${m}m`), fc.integer({ min: 1, max: 256 }).map(String), fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 999 })).map(([a, b]) => `${a}.${b}`).filter((q) => q !== '0.0'));
  const memory = fc.oneof(fc.integer({ min: 1, max: 1024 ** 3 }).map((k) => `${k}Ki`), fc.integer({ min: 1, max: 1024 }).map((g) => `${g}Gi`));
  const resources = fc.tuple(cpu, memory, fc.constantFrom(1, 1.5, 4)).map(([c, m, factor]) => ({
    requests: { cpu: c, memory: m },
    // Limits at or above requests: scale the same quantity up, within the bounds.
    limits: { cpu: factor === 1 ? c : '256', memory: factor === 1 ? m : '1024Gi' },
  }));
  const interval = fc.oneof(fc.integer({ min: 10, max: 3600 }).map((sec) => `${sec}s`), fc.integer({ min: 1, max: 60 }).map((m) => `${m}m`));
  const slo = fc
    .record({
      availabilityPercent: fc.double({ min: 0.001, max: 100, noNaN: true }),
      errorRatePercent: fc.double({ min: 0, max: 99.999, noNaN: true }),
      averageResponseTimeMs: fc.double({ min: 0.001, max: 600_000, noNaN: true }),
      p99ResponseTimeMs: fc.double({ min: 0.001, max: 600_000, noNaN: true }),
    })
    .map((s) => ({ ...s, averageResponseTimeMs: Math.min(s.averageResponseTimeMs, s.p99ResponseTimeMs) }));
  const conformance = fc.array(
    fc.oneof(
      fc.record({ name: printable, path: fc.stringMatching(/^\/[A-Za-z0-9/_.-]{0,60}$/) }),
      fc.record({ name: printable, method: fc.constant('POST'), path: fc.constant('/echo'), body: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 4096 }) }),
    ),
    { minLength: 1, maxLength: 20 },
  );
  const valid = fc.record({
    name: dnsLabel,
    description: fc.string({ minLength: 1, maxLength: 1000 }),
    config: fc.record({ message: fc.string({ minLength: 1, maxLength: 1000 }), color: fc.stringMatching(/^#[0-9a-f]{6}$/) }),
    resources,
    autoscaling: fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 100 })).map(([a, b, t]) => ({ minReplicas: Math.min(a, b), maxReplicas: Math.max(a, b), targetCpuUtilizationPercent: t })),
    analysis: fc.record({ interval, threshold: fc.constant(1), progressDeadlineSeconds: fc.integer({ min: 60, max: 86_400 }) }),
    slo,
    load: fc.record({ requestsPerSecond: fc.integer({ min: 1, max: 1000 }), concurrency: fc.integer({ min: 1, max: 100 }) }),
    conformance,
  });
  const strategyFor = (env: Env) =>
    env === 'kubernetes'
      ? fc.record({ kind: fc.constant('blue-green'), iterations: fc.integer({ min: 1, max: 100 }) })
      : fc.oneof(
          fc.record({ kind: fc.constant('blue-green'), iterations: fc.integer({ min: 1, max: 100 }) }),
          fc.record({ kind: fc.constant('progressive'), stepWeight: fc.integer({ min: 1, max: 100 }) }).map((s) => ({ ...s, maxWeight: 100 })),
          fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 10 }).map((ws) => ({ kind: 'progressive', stepWeights: [...ws].sort((a, b) => a - b) })),
          fc.record({ kind: fc.constant('ab-testing'), iterations: fc.integer({ min: 1, max: 100 }), match: fc.constant([{ on: 'header', name: 'x-canary', exact: 'insider' }]) }),
          ...(env === 'istio' ? [fc.record({ kind: fc.constant('blue-green-mirroring'), iterations: fc.integer({ min: 1, max: 100 }), mirrorWeight: fc.integer({ min: 1, max: 100 }) })] : []),
        );

  /** One way to break a valid input, and the field its issue must name. */
  const BREAKS: readonly [string, (input: Record<string, any>) => Record<string, unknown>][] = [
    ['name', (i) => ({ ...i, name: 'x'.repeat(41) })],
    ['name', (i) => ({ ...i, name: `${i['name']}-canary` })],
    ['description', (i) => ({ ...i, description: 'd'.repeat(1001) })],
    ['resources.requests.cpu', (i) => ({ ...i, resources: { ...i['resources'], requests: { ...i['resources'].requests, cpu: '1'.repeat(400) } } })],
    ['resources.limits.memory', (i) => ({ ...i, resources: { ...i['resources'], limits: { ...i['resources'].limits, memory: '2048Gi' } } })],
    ['autoscaling.maxReplicas', (i) => ({ ...i, autoscaling: { ...i['autoscaling'], maxReplicas: 3_000_000_000 } })],
    ['analysis.interval', (i) => ({ ...i, analysis: { ...i['analysis'], interval: '99999999999m' } })],
    ['analysis.progressDeadlineSeconds', (i) => ({ ...i, analysis: { ...i['analysis'], progressDeadlineSeconds: 2 ** 31 } })],
    ['slo.p99ResponseTimeMs', (i) => ({ ...i, slo: { ...i['slo'], p99ResponseTimeMs: 1e12 } })],
    ['conformance', (i) => ({ ...i, conformance: Array.from({ length: 21 }, () => ({ name: 'ready', path: '/readyz' })) })],
    ['conformance.0.name', (i) => ({ ...i, conformance: [{ name: 'line\nbreak', path: '/readyz' }] })],
    ['conformance.0.body', (i) => ({ ...i, conformance: [{ name: 'x', method: 'POST', path: '/echo', body: '\u0000' }] })],
  ];

  const caseArb: fc.Arbitrary<Case> = fc.constantFrom<Env>('kubernetes', 'istio', 'linkerd').chain((env) =>
    fc.record({ env: fc.constant(env), input: valid, strategy: strategyFor(env), breakIndex: fc.option(fc.integer({ min: 0, max: BREAKS.length - 1 }), { freq: 2 }) }).map(({ env, input, strategy, breakIndex }) => {
      if (breakIndex === null) return { env, input, strategy };
      const [path, breakIt] = BREAKS[breakIndex]!;
      return { env, input: breakIt(input), strategy, broken: path };
    }),
  );

  it('renders every valid input into a distribution that passes validation (a dozen of them through all five layers), and rejects every broken one at its field', async () => {
    const schemas = await defaultSchemaRegistry();
    const sampled: ReturnType<typeof one>[] = [];
    const seen = { valid: 0, broken: 0 };
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        let composed;
        try {
          composed = composeDistribution(one(c.env, c.input, c.strategy));
        } catch (error) {
          if (!(error instanceof DistributionError)) throw error;
          expect(c.broken, `a valid input was rejected: ${error.message}`).toBeDefined();
          expect(error.issues.map((i) => i.path)).toContain(c.broken);
          seen.broken += 1;
          return;
        }
        expect(c.broken, 'a broken input was rendered').toBeUndefined();
        seen.valid += 1;
        expect(await validateDistribution(distributionOf(composed, scratch), { schemas, layers: ['schema', 'references', 'policy'] })).toEqual([]);
        // The first dozen also through the two layers that run programs (kustomize, promtool), from their files.
        if (sampled.length < 12) sampled.push(one(c.env, c.input, c.strategy));
      }),
      { numRuns: 300, seed: 20261126 },
    );
    // Both paths carry weight.
    expect(seen.valid).toBeGreaterThan(100);
    expect(seen.broken).toBeGreaterThan(50);
    const dirs = await Promise.all(sampled.map(async (definition, i) => {
      const dir = join(scratch, `sampled-${i}`, 'dist');
      await renderTo(definition, dir);
      return dir;
    }));
    const loaded = await Promise.all(dirs.map((dir) => loadDistribution(dir)));
    expect((await validateDistributions(loaded, { schemas })).flat()).toEqual([]);
  });

  it('never crashes on anything at all: any value for an input and a strategy is rejected, with issues, never thrown as something else', () => {
    fc.assert(
      fc.property(fc.constantFrom<Env>('kubernetes', 'istio', 'linkerd'), fc.anything(), fc.anything(), (env, input, strategy) => {
        let thrown: unknown;
        try {
          composeDistribution(one(env, input, strategy));
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(DistributionError);
        expect((thrown as DistributionError).issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
