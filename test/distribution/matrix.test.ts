/** Each service's declared strategy, read back from the rendered YAML the way Flagger infers a strategy. */
import type { StrategyKind } from '@canaryship/blocks';
import { describe, expect, it } from 'vitest';
import { DEFINITIONS, ENVIRONMENT_NAMES, renderedDistribution, ofKind, serviceNamesOf, type Env, type Obj } from '../support/distribution.js';

type Inferred = 'blue/green' | 'blue/green + mirroring' | 'progressive canary' | 'A/B testing';

/** Flagger's own rule: match + iterations → A/B; iterations → blue/green (mirror: true → mirroring); else canary. */
function inferStrategy(analysis: Obj): Inferred {
  if (analysis.iterations !== undefined && analysis.match !== undefined) return 'A/B testing';
  if (analysis.iterations !== undefined) return analysis.mirror === true ? 'blue/green + mirroring' : 'blue/green';
  return 'progressive canary';
}

/** What Flagger infers from the Canary each declared strategy renders to. */
const INFERRED: Record<StrategyKind, Inferred> = {
  'blue-green': 'blue/green',
  'blue-green-mirroring': 'blue/green + mirroring',
  progressive: 'progressive canary',
  'ab-testing': 'A/B testing',
};

const PROVIDER: Record<Env, string> = { kubernetes: 'kubernetes', istio: 'istio', linkerd: 'gatewayapi:v1beta1' };

describe.each(ENVIRONMENT_NAMES)('%s distribution', (env) => {
  const canaries = ofKind(renderedDistribution(env), 'Canary');

  it('has exactly one Canary per service', () => {
    expect(canaries.map((c) => c.metadata.name).sort()).toEqual(serviceNamesOf(env));
  });

  it.each(DEFINITIONS[env].services.map(({ input, strategy }) => [input.name, strategy.kind] as const))('runs %s with the strategy it declares (%s), as Flagger reads it', (service, kind) => {
    const canary = canaries.find((c) => c.metadata.name === service);
    expect(inferStrategy(canary?.spec.analysis)).toBe(INFERRED[kind]);
    expect(canary?.spec.provider).toBe(PROVIDER[env]);
  });

  it('sets exactly one of iterations, stepWeight, stepWeights in every analysis', () => {
    for (const canary of canaries) {
      const set = ['iterations', 'stepWeight', 'stepWeights'].filter((key) => canary.spec.analysis[key] !== undefined);
      expect(set, canary.metadata.name).toHaveLength(1);
    }
  });
});

describe('environment specifics', () => {
  it('istio frontend A/B routes on a header and on a cookie', () => {
    const frontend = ofKind(renderedDistribution('istio'), 'Canary').find((c) => c.metadata.name === 'frontend');
    const match = frontend?.spec.analysis.match as Obj[];
    expect(match).toHaveLength(2);
    expect(match[0]?.headers['x-canary']).toEqual({ exact: 'insider' });
    expect(new RegExp(match[1]?.headers.cookie.regex).test('session=1; canary=always')).toBe(true);
    expect(new RegExp(match[1]?.headers.cookie.regex).test('canary=always')).toBe(true);
    expect(new RegExp(match[1]?.headers.cookie.regex).test('canary=never; x=canary=always')).toBe(false);
    expect(new RegExp(match[1]?.headers.cookie.regex).test('nocanary=always')).toBe(false);
  });

  it('linkerd canaries attach their HTTPRoute to their own Service (Gateway API, not SMI)', () => {
    for (const canary of ofKind(renderedDistribution('linkerd'), 'Canary')) {
      expect(canary.spec.service.gatewayRefs).toEqual([
        { name: canary.metadata.name, namespace: canary.metadata.namespace, group: 'core', kind: 'Service', port: canary.spec.service.port },
      ]);
    }
  });

  it('turns on the mesh for the namespace, and enforces restricted Pod Security where no sidecar needs NET_ADMIN', () => {
    const ns = (env: Env): Obj => ofKind(renderedDistribution(env), 'Namespace')[0] as Obj;
    expect(ns('istio').metadata.labels['istio-injection']).toBe('enabled');
    expect(ns('linkerd').metadata.annotations['linkerd.io/inject']).toBe('enabled');
    expect(ns('kubernetes').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const env of ENVIRONMENT_NAMES) expect(ns(env).metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
  });
});
