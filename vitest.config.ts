import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/** Workspace packages resolve to their sources, so unit tests run without a build. */
const aliases = ['packages', 'tools']
  .flatMap((group) => readdirSync(group).map((dir) => join(group, dir)))
  .filter((dir) => existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src/index.ts')))
  .map((dir) => ({
    find: (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name,
    replacement: resolve(dir, 'src/index.ts'),
  }));

export default defineConfig({
  resolve: { alias: aliases.map(({ find, replacement }) => ({ find: new RegExp(`^${find}$`), replacement })) },
  test: {
    include: ['{packages,environments,tools}/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // The cluster suite needs minutes and its own processes: `npm run test:cluster`.
    exclude: ['test/cluster/**', '**/node_modules/**'],
    globalSetup: ['test/support/provisioned.ts', 'test/support/scratch.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
