/**
 * The one build configuration every package uses (Nx runs `tsup --config ../../tsup.config.ts` in
 * the package's folder): src/index.ts to ESM for Node 22 and later, plus src/main.ts where a package has one
 * (the CLI's entry). Dependencies stay external, so each workspace package is loaded once and its
 * error classes keep their identity; dynamic imports become their own chunks, so the CLI loads only
 * the command it runs. Type declarations are emitted for what service teams consume (packages/*);
 * private tools and the environments (shipped as OCI artifacts, compiled to lib/ because dist/ is
 * the distribution) need none. Type-checking is `npm run typecheck`: one tsc pass over every source.
 *
 * Declarations come from TypeScript's native compiler (TypeScript 7), emitting declarations only
 * and without type-checking (`--noCheck`): with `isolatedDeclarations` each file's declarations
 * follow from the file alone, so every export of packages/* states its type and the compiler names
 * each one that does not, and the build fails. tsup's own `dts` (rollup-plugin-dts over a
 * type-checked program per package) needs TypeScript's JavaScript API, which TypeScript 7 no longer
 * has, and cost most of a cold build when it did.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { defineConfig } from 'tsup';

const group = basename(dirname(process.cwd()));
const ROOT = join(process.cwd(), '../..');

/** src/**\/*.ts (tests left out by tsconfig.build.json) to dist/**\/*.d.ts; throws naming every export whose type is not stated. */
async function emitDeclarations(): Promise<void> {
  const tsc = join(dirname(createRequire(join(process.cwd(), 'package.json')).resolve('typescript/package.json')), 'bin/tsc');
  const args = ['-p', 'tsconfig.json', '--emitDeclarationOnly', '--noCheck', '--declarationMap', 'false', '--pretty', 'false'];
  try {
    await promisify(execFile)(tsc, args, { encoding: 'utf8' });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    // tsc names files from the package's folder; a service team reads them from the repository's.
    const here = relative(ROOT, process.cwd());
    const problems = `${stdout}${stderr}`.trim().split('\n').map((line) => (line.startsWith('src/') ? join(here, line) : line));
    throw new Error(`type declarations cannot be emitted:\n${problems.join('\n')}`);
  }
}

export default defineConfig({
  entry: ['src/index.ts', ...(existsSync('src/main.ts') ? ['src/main.ts'] : [])],
  format: ['esm'],
  platform: 'node',
  target: 'node22',
  splitting: true,
  skipNodeModulesBundle: true,
  sourcemap: true,
  onSuccess: group === 'packages' ? emitDeclarations : undefined,
  clean: true,
  silent: true,
  outDir: group === 'environments' ? 'lib' : 'dist',
});
