import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** `npm run test:cluster`: the canary runs on the local control plane (minutes, not seconds). */
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/support/provisioned-cluster.ts', 'test/support/scratch.ts'],
    // Both files at once, each with its own control plane: they mostly wait on Flagger's ticks (two
    // use about a core between them), and their timelines allow half an interval for a busy tick.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60 * 60 * 1000,
    hookTimeout: 60 * 60 * 1000,
  },
});
