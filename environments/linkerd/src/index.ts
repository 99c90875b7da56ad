import { backend } from '@canaryship/backend';
import { defineDistribution } from '@canaryship/blocks';
import { cache } from '@canaryship/cache';
import { database } from '@canaryship/database';
import { frontend } from '@canaryship/frontend';
import { loadtester } from '@canaryship/loadtester';

/** Linkerd through Gateway API HTTPRoutes: progressive canaries for frontend and backend. */
export const distribution = defineDistribution({
  environment: 'linkerd',
  testRunner: loadtester,
  services: [frontend, backend, cache, database].map(({ input, strategies }) => ({ input, strategy: strategies.linkerd })),
});
