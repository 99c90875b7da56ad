/**
 * Type tests, checked by `npm run typecheck`: each `@ts-expect-error` line must fail to compile,
 * so if a wrong combination starts compiling, the type check fails.
 */
import { defineDistribution } from '../distribution/define.js';
import { loadtesterLike, input } from '../test-fixtures.js';
import { abTesting, blueGreen, cookie, header, mirrored, progressive, type StrategyFor } from './strategies.js';

export const ok: StrategyFor<'kubernetes'> = blueGreen({ iterations: 5 });
// @ts-expect-error a kubernetes-provider Canary accepts only blue/green
export const k8sCanary: StrategyFor<'kubernetes'> = progressive({ stepWeight: 10, maxWeight: 50 });
// @ts-expect-error no A/B testing on plain Kubernetes
export const k8sAb: StrategyFor<'kubernetes'> = abTesting({ iterations: 5, match: [header('x', { exact: 'y' })] });
// @ts-expect-error mirroring is Istio only
export const linkerdMirror: StrategyFor<'linkerd'> = mirrored({ iterations: 5 });
// @ts-expect-error cookie matches are Istio only
export const linkerdCookie: StrategyFor<'linkerd'> = abTesting({ iterations: 5, match: [cookie('c', 'v')] });
export const linkerdHeader: StrategyFor<'linkerd'> = abTesting({ iterations: 5, match: [header('x', { exact: 'y' })] });
export const istioCookie: StrategyFor<'istio'> = abTesting({ iterations: 5, match: [cookie('c', 'v'), header('x', { prefix: 'y' })] });
// @ts-expect-error exactly one of stepWeight / stepWeights
export const both = progressive({ stepWeight: 10, maxWeight: 50, stepWeights: [10] });
// @ts-expect-error stepWeight needs maxWeight
export const noMax = progressive({ stepWeight: 10 });

export const kubernetesApp = defineDistribution({
  environment: 'kubernetes',
  testRunner: loadtesterLike,
  // @ts-expect-error an environment cannot pick a strategy its provider cannot run
  services: [{ input, strategy: mirrored({ iterations: 5 }) }],
});
