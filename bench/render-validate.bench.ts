import { execFileSync } from 'node:child_process';
import { backend } from '@canaryship/backend';
import { blueGreen, composeDistribution, progressive, renderDistribution, type DistributionDefinition, type ServiceInput } from '@canaryship/blocks';
import { edgeProxy } from '@canaryship/entry';
import { loadtester } from '@canaryship/loadtester';
import { defaultSchemaRegistry, distributionOf, validateDistribution, type Distribution, type Layer } from '@canaryship/validate';
import { distribution as istio } from '../environments/istio/src/index.js';
import { distribution as kubernetes } from '../environments/kubernetes/src/index.js';
import { distribution as linkerd } from '../environments/linkerd/src/index.js';
import { test } from 'vitest';

const SHIPPED: DistributionDefinition[] = [kubernetes, istio, linkerd];
/** The layers that run in this process; kustomize and promtool are child processes, measured apart. */
const IN_PROCESS: Layer[] = ['schema', 'references', 'policy'];
const schemas = await defaultSchemaRegistry();

/** Composed in memory; `dir` is its rendered copy, which the kustomize layer builds. */
const asLoaded = (definition: DistributionDefinition): Distribution =>
  distributionOf(composeDistribution(definition), `environments/${definition.environment}/dist`);

/** `count` copies of the backend service (without calls) in each environment. */
function scaled(count: number): DistributionDefinition[] {
  const inputs: ServiceInput[] = Array.from({ length: count }, (_, i) => ({ ...backend.input, name: `svc-${String(i).padStart(3, '0')}`, config: { ...backend.input.config, calls: [] } }));
  return (['kubernetes', 'istio', 'linkerd'] as const).map((environment) => ({
    environment,
    testRunner: loadtester,
    entry: edgeProxy({ upstream: 'svc-000' }),
    services: inputs.map((input) => ({ input, strategy: environment === 'kubernetes' ? blueGreen({ iterations: 10 }) : progressive({ stepWeight: 10, maxWeight: 50 }) })),
  })) as DistributionDefinition[];
}

// Warm the schema compiler once: compiling a kind is a one-time cost per process, not per validation.
for (const definition of SHIPPED) await validateDistribution(asLoaded(definition), { schemas, layers: IN_PROCESS });

test('three shipped distributions', async ({ bench }) => {
  await bench('render (compose + YAML)', () => {
    for (const definition of SHIPPED) renderDistribution(composeDistribution(definition));
  }).run();
  await bench('validate, in-process layers (schema, references, policy)', async () => {
    for (const definition of SHIPPED) await validateDistribution(asLoaded(definition), { schemas, layers: IN_PROCESS });
  }).run();
  await bench('validate, all five layers (with kubectl kustomize and promtool)', async () => {
    for (const definition of SHIPPED) await validateDistribution(asLoaded(definition), { schemas });
  }).run({ iterations: 5, time: 0 });
  await bench('kubectl kustomize of the same three', () => {
    for (const env of ['kubernetes', 'istio', 'linkerd']) execFileSync('kubectl', ['kustomize', `environments/${env}/dist`]);
  }).run({ iterations: 10, time: 0 });
});

test.for([10, 30, 100])('%i services x 3 environments', async (count, { bench }) => {
  const definitions = scaled(count);
  await bench.compare(
    bench('render', () => {
      for (const definition of definitions) renderDistribution(composeDistribution(definition));
    }),
    bench('validate, in-process layers', async () => {
      for (const definition of definitions) await validateDistribution(asLoaded(definition), { schemas, layers: IN_PROCESS });
    }),
    { iterations: 10, time: 0 },
  );
});
