import { backend } from '@canaryship/backend';
import { defineDistribution } from '@canaryship/blocks';
import { cache } from '@canaryship/cache';
import { database } from '@canaryship/database';
import { edgeProxy } from '@canaryship/entry';
import { frontend } from '@canaryship/frontend';
import { loadtester } from '@canaryship/loadtester';

/** Plain Kubernetes: no traffic router, so every service releases blue/green. */
export const distribution = defineDistribution({
  environment: 'kubernetes',
  testRunner: loadtester,
  // Users' requests enter here and go to frontend, through the mesh where there is one.
  entry: edgeProxy({ upstream: frontend.input.name }),
  services: [frontend, backend, cache, database].map(({ input, strategies }) => ({ input, strategy: strategies.kubernetes })),
});
