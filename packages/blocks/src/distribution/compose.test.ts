import { describe, expect, it } from 'vitest';
import { DistributionError, formatIssue } from '../errors.js';
import { abTesting, blueGreen, cookie, progressive } from '../strategy/strategies.js';
import { entryLike, input, loadtesterLike } from '../test-fixtures.js';
import { chainAnswers, composeDistribution } from './compose.js';
import type { DistributionDefinition } from './define.js';

/** Composes, expecting failure; returns the formatted issues. */
function failures(definition: DistributionDefinition): string[] {
  try {
    composeDistribution(definition);
  } catch (error) {
    expect(error).toBeInstanceOf(DistributionError);
    return (error as DistributionError).issues.map(formatIssue);
  }
  throw new Error('expected the distribution to be rejected');
}

const withInput = (overrides: Record<string, unknown>, environment: DistributionDefinition['environment'] = 'istio') =>
  ({
    environment,
    testRunner: loadtesterLike,
    entry: entryLike(),
    services: [{ input: { ...input, ...overrides }, strategy: blueGreen({ iterations: 5 }) }],
  }) as DistributionDefinition;

describe('composeDistribution', () => {
  it('places every object at its role file, namespace first', () => {
    const { objects } = composeDistribution(withInput({}));
    expect(objects.map((o) => o.path)).toEqual([
      'namespace.yaml',
      'networkpolicy.yaml',
      'slo/error-rate.yaml',
      'slo/average-response-time.yaml',
      'edge/networkpolicy.yaml',
      'runner/networkpolicy.yaml',
      'api/configmap.yaml',
      'api/deployment.yaml',
      'api/hpa.yaml',
      'api/pdb.yaml',
      'api/canary.yaml',
      'api/networkpolicy.yaml',
    ]);
  });

  it('names service, environment and field for a wrong type', () => {
    expect(failures(withInput({ autoscaling: { minReplicas: '2', maxReplicas: 4, targetCpuUtilizationPercent: 80 } }))).toEqual([
      'service api, environment istio, field autoscaling.minReplicas: Invalid input: expected number, received string [input.invalid]',
    ]);
  });

  it('rejects unknown fields', () => {
    expect(failures(withInput({ replicas: 3 }))).toEqual(['service api, environment istio, field replicas: unknown field [input.invalid]']);
  });

  it('names both fields of a cross-field rule with their values', () => {
    expect(failures(withInput({ slo: { ...input.slo, averageResponseTimeMs: 400 } }))).toEqual([
      'service api, environment istio, field slo.averageResponseTimeMs: slo.averageResponseTimeMs (400) is above slo.p99ResponseTimeMs (300): the average check could never fail first [input.invalid]',
    ]);
    expect(failures(withInput({ resources: { requests: { cpu: '2', memory: '64Mi' }, limits: { cpu: '500m', memory: '64Mi' } } }))[0]).toContain(
      'resources.limits.cpu (500m) is below resources.requests.cpu (2)',
    );
  });

  it('rejects a strategy the environment cannot run', () => {
    const definition = {
      environment: 'kubernetes',
      testRunner: loadtesterLike,
      entry: entryLike(),
      services: [{ input, strategy: progressive({ stepWeight: 10, maxWeight: 50 }) }],
    } as unknown as DistributionDefinition;
    expect(failures(definition)).toEqual([
      'service api, environment kubernetes, field strategy.kind: "progressive" cannot run on the kubernetes environment; it supports blue-green (blue/green) [strategy.unsupported]',
    ]);
  });

  it('rejects a threshold that more checks than the strategy runs could never reach', () => {
    const definition: DistributionDefinition = {
      environment: 'istio',
      testRunner: loadtesterLike,
      entry: entryLike(),
      services: [{ input: { ...input, analysis: { interval: '1m', threshold: 6 } }, strategy: progressive({ stepWeight: 20, maxWeight: 100 }) }],
    };
    expect(failures(definition)[0]).toMatch(/field analysis.threshold: analysis.threshold \(6\) exceeds the 5 checks/);
  });

  it('rejects calls that go round in a circle, and an entry in front of no service', () => {
    const calling = (name: string, calls: string[]) => ({ input: { ...input, name, config: { ...input.config, calls } }, strategy: blueGreen({ iterations: 5 }) });
    const circle: DistributionDefinition = { ...withInput({}), services: [calling('api', ['b']), calling('b', ['c']), calling('c', ['b'])] };
    expect(failures(circle)).toEqual(['service b, environment istio, field config.calls: calls go round in a circle (b → c → b): an echo through them would never end [service.call-cycle]']);
    expect(failures({ ...withInput({}), entry: entryLike('web') })).toEqual(['environment istio, field entry.upstream: "web" is not a service of this distribution (api) [entry.unknown-upstream]']);
  });

  it('counts the ends of a chain once per path, and bounds the fan-out', () => {
    const calling = (name: string, calls: string[]) => ({ name, config: { calls } }) as never;
    const diamond = [calling('a', ['b', 'c']), calling('b', ['d']), calling('c', ['d']), calling('d', [])];
    expect(chainAnswers('a', diamond)).toBe(2);
    expect(chainAnswers('d', diamond)).toBe(1);
    // Ten layers of two: 1024 ends, beyond the bound.
    const layers = Array.from({ length: 11 }, (_, i) => ({ input: { ...input, name: `s${i}`, config: { ...input.config, calls: i < 10 ? [`s${i + 1}`, `t${i + 1}`] : [] } }, strategy: blueGreen({ iterations: 5 }) }));
    const twins = layers.slice(1).map((l, i) => ({ ...l, input: { ...l.input, name: `t${i + 1}`, config: { ...l.input.config, calls: i + 1 < 10 ? [`s${i + 2}`, `t${i + 2}`] : [] } } }));
    const found = failures({ ...withInput({}), entry: entryLike('s0'), services: [...layers, ...twins] });
    expect(found[0]).toBe('service s0, environment istio, field config.calls: one request to s0 would fan out into 1024 calls at the end of its chain; at most 100 [service.call-fanout]');
  });

  it('rejects calls to services outside the distribution, and duplicate names', () => {
    expect(failures(withInput({ config: { ...input.config, calls: ['ghost'] } }))).toEqual([
      'service api, environment istio, field config.calls.0: "ghost" is not a service of this distribution (api) [service.unknown-call]',
    ]);
    // A service whose own input is rejected is still a service of the distribution: its callers are not blamed for it.
    const callee = { input: { ...input, name: 'store', analysis: { ...input.analysis, interval: '5s' } }, strategy: blueGreen({ iterations: 5 }) };
    const caller = withInput({ config: { ...input.config, calls: ['store'] } });
    expect(failures({ ...caller, services: [...caller.services, callee] })).toEqual(['service store, environment istio, field analysis.interval: at least 10s (Flagger minimum) [input.invalid]']);
    const twice: DistributionDefinition = { ...withInput({}), services: [...withInput({}).services, ...withInput({}).services] };
    expect(failures(twice)).toContain('service api, environment istio, field name: two services share this name [service.duplicate]');
  });

  it('rejects a namespace that is no DNS label and an environment that does not exist', () => {
    expect(failures({ ...withInput({}), namespace: 'Web_App' })).toEqual(['environment istio, field namespace: "Web_App" is not a DNS label [namespace.invalid]']);
    expect(failures({ ...withInput({}), namespace: `a${'b'.repeat(63)}` })).toHaveLength(1);
    expect(composeDistribution({ ...withInput({}), namespace: `a${'b'.repeat(62)}` }).objects[0]?.object.metadata?.name).toBe(`a${'b'.repeat(62)}`);
    expect(failures({ ...withInput({}), environment: 'openshift' } as never)).toEqual(['environment openshift, field environment: unknown environment; expected one of kubernetes, istio, linkerd [environment.unknown]']);
  });

  it('reports an unnamed input under its position, with its strategy problems under the same name', () => {
    const definition = { ...withInput({}), services: [...withInput({}).services, { input: { ...input, name: 7 }, strategy: { kind: 'progressive' } }] } as DistributionDefinition;
    const found = failures(definition);
    expect(found.every((line) => line.startsWith('service services.1, environment istio, '))).toBe(true);
    expect(found.filter((line) => line.includes(', field name: ')).length).toBe(1);
    expect(found.filter((line) => line.includes(', field strategy')).length).toBeGreaterThan(0);
  });

  it('names the service whose objects would meet on disk or in the cluster, once per place', () => {
    const named = (name: string) => ({ input: { ...input, name, config: { ...input.config, calls: [] } }, strategy: blueGreen({ iterations: 5 }) });
    // A service named like the entry's folder: both write edge/networkpolicy.yaml, and claim its name.
    expect(failures({ ...withInput({}), services: [named('api'), named('edge')] })).toEqual([
      'service edge, environment istio, field name: NetworkPolicy/edge would be written to edge/networkpolicy.yaml more than once: rename the service [distribution.path-collision]',
    ]);
  });

  it('names the Canary whose generated objects a shipped object claims', () => {
    const runner = { ...loadtesterLike, objects: () => [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-config' } }] } as typeof loadtesterLike;
    expect(failures({ ...withInput({}), testRunner: runner })).toEqual([
      'service api, environment istio, field name: Service/api is claimed twice (shipped Service/api; Flagger, for Canary/api): rename the service [flagger.name-collision]',
      'service api, environment istio, field name: ConfigMap/api-config is claimed twice (shipped ConfigMap/api-config; shipped ConfigMap/api-config): rename the service [flagger.name-collision]',
    ]);
  });

  it('collects every problem of every service, not just the first', () => {
    const definition = {
      environment: 'linkerd',
      testRunner: loadtesterLike,
      entry: entryLike(),
      services: [
        { input: { ...input, podinfoVersion: 'latest' }, strategy: blueGreen({ iterations: 5 }) },
        { input: { ...input, name: 'web' }, strategy: abTesting({ iterations: 5, match: [cookie('c', 'v')] }) },
      ],
    } as unknown as DistributionDefinition;
    const found = failures(definition);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^service api, environment linkerd, field podinfoVersion: a pinned release/);
    expect(found[1]).toBe('service web, environment linkerd, field strategy.match.0: cookie matches need Istio; the linkerd environment routes on headers only [strategy.unsupported]');
  });
});
