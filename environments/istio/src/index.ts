import { backend } from '@canaryship/backend';
import { defineDistribution } from '@canaryship/blocks';
import { cache } from '@canaryship/cache';
import { database } from '@canaryship/database';
import { frontend } from '@canaryship/frontend';
import { loadtester } from '@canaryship/loadtester';

/** Istio: A/B testing for frontend, progressive canary for backend, traffic mirroring for database. */
export const distribution = defineDistribution({
  environment: 'istio',
  testRunner: loadtester,
  services: [frontend, backend, cache, database].map(({ input, strategies }) => ({ input, strategy: strategies.istio })),
});
