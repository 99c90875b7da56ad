// @ts-check
/**
 * Mutation testing: `npm run test:mutation` (blocks) and `npm run test:mutation:release`, outside
 * the default test run (tens of minutes on 2 cores). Stryker changes the source one mutant at a
 * time and runs the tests that cover it; a mutant no test notices is a gap in what the tests pin.
 * The distribution suites render in this process from source (test/support/distribution.ts), so
 * a mutant that changes the YAML a provider receives is caught where the provider would see it.
 * Reports: reports/mutation/<target>.html and .json.
 */
const TARGETS = {
  blocks: {
    mutate: ['packages/blocks/src/**/*.ts', '!packages/blocks/src/**/*.test.ts', '!packages/blocks/src/**/*.test-d.ts', '!packages/blocks/src/test-fixtures.ts', '!packages/blocks/src/index.ts'],
    // With the suites of what blocks renders beyond distributions: provider bundles, and plan's chart through the command.
    tests: ['packages/blocks/src/**/*.test.ts', 'test/distribution/**/*.test.ts', 'test/validate/inputs.test.ts', 'test/provider/**/*.test.ts', 'test/cli/plan.test.ts'],
  },
  release: {
    mutate: ['tools/release/src/**/*.ts', '!tools/release/src/**/*.test.ts', '!tools/release/src/index.ts'],
    // The versioning suite clones the repository and runs Nx for minutes: outside mutation runs.
    tests: ['tools/release/src/**/*.test.ts', 'test/release/registry.test.ts', 'test/release/diff.test.ts', 'test/release/contract.test.ts', 'test/release/reproducible.test.ts', 'test/release/images.test.ts', 'test/cli/errors.test.ts'],
  },
};

const target = process.env.MUTATE ?? 'blocks';
const chosen = TARGETS[/** @type {keyof typeof TARGETS} */ (target)];
if (!chosen) throw new Error(`MUTATE=${target}: choose one of ${Object.keys(TARGETS).join(', ')}`);
process.env.CANARYSHIP_MUTATION_TESTS = chosen.tests.join(',');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: chosen.mutate,
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${target}.html` },
  jsonReporter: { fileName: `reports/mutation/${target}.json` },
  tempDirName: '.stryker-tmp',
  // A full run takes hours here: with incremental mode a run interrupted (Ctrl+C) keeps what it
  // measured, and the next run tests only the mutants not yet measured or whose code or covering
  // tests changed since (the file is a cache on this machine, not committed).
  incremental: true,
  incrementalFile: `reports/mutation/${target}.incremental.json`,
  // Stryker reads tsconfig.json with TypeScript's JS API, which TypeScript 7 (the native compiler) does
  // not have, only to rewrite `extends` and `references` that point outside its sandbox; ours point
  // nowhere outside, so it is given no tsconfig to read.
  tsconfigFile: 'no-tsconfig-to-rewrite.json',
  cleanTempDir: 'always',
  // Stryker would put `// @ts-nocheck` atop every source it copies; nothing here type-checks a
  // sandbox, and a source that differs from what its build's source maps hold is refused by every
  // command that reads a distribution (tools/cli/src/sources/built.ts).
  disableTypeChecks: false,
  thresholds: { high: 90, low: 80, break: null },
};
