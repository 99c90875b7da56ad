import { backend } from '@canaryship/backend';
import { defineDistribution } from '@canaryship/blocks';
import { cache } from '@canaryship/cache';
import { database } from '@canaryship/database';
import { frontend } from '@canaryship/frontend';
import { loadtester } from '@canaryship/loadtester';

/** Plain Kubernetes: no traffic router, so every service releases blue/green. */
export const distribution = defineDistribution({
  environment: 'kubernetes',
  testRunner: loadtester,
  services: [frontend, backend, cache, database].map(({ input, strategies }) => ({ input, strategy: strategies.kubernetes })),
});
