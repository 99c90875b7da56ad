/**
 * The one build configuration every package uses (Nx runs `tsup --config ../../tsup.config.ts` in
 * the package's folder): src/index.ts to ESM for Node 20, plus src/main.ts where a package has one
 * (the CLI's entry). Dependencies stay external, so each workspace package is loaded once and its
 * error classes keep their identity; dynamic imports become their own chunks, so the CLI loads only
 * the command it runs. Type declarations are emitted for what service teams consume (packages/*);
 * private tools and the environments (shipped as OCI artifacts, compiled to lib/ because dist/ is
 * the distribution) need none. Type-checking is `npm run typecheck`: one tsc pass over every source.
 */
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { defineConfig } from 'tsup';

const group = basename(dirname(process.cwd()));

export default defineConfig({
  entry: ['src/index.ts', ...(existsSync('src/main.ts') ? ['src/main.ts'] : [])],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  splitting: true,
  skipNodeModulesBundle: true,
  sourcemap: true,
  dts: group === 'packages',
  clean: true,
  silent: true,
  outDir: group === 'environments' ? 'lib' : 'dist',
});
