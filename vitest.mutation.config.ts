import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** The suites a mutation run uses (stryker.config.mjs picks them per target). */
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: (process.env['CANARYSHIP_MUTATION_TESTS'] ?? '').split(',').filter(Boolean),
    globalSetup: ['test/support/provisioned.ts', 'test/support/scratch.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
