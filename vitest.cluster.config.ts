import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** `npm run test:cluster`: the canary runs on the local control plane (minutes, not seconds). */
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/support/provisioned-cluster.ts', 'test/support/scratch.ts'],
    // One control plane at a time: two on two cores would skew every measured timeline.
    fileParallelism: false,
    testTimeout: 60 * 60 * 1000,
    hookTimeout: 60 * 60 * 1000,
  },
});
