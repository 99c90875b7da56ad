// @ts-check
/**
 * The one build every package uses (Nx runs `node ../../build.mjs` in the package's folder):
 * src/index.ts to ESM for Node 22 and later, plus src/main.ts where a package has one (the CLI's
 * entry), with source maps that hold each source's text (the CLI's freshness check reads them).
 * Dependencies stay external, so each workspace package is loaded once and its error classes keep
 * their identity; dynamic imports become their own chunks, so the CLI loads only the command it
 * runs. Service packages (packages/*) also get type declarations, for the service teams who consume
 * them; private tools and the environments (shipped as OCI artifacts, compiled to lib/ because dist/
 * is the distribution) need none. Type-checking is `npm run typecheck`: one tsc pass over every source.
 *
 * esbuild's API, called directly: tsup, which wraps it, spent 0.17 s of every package's build
 * starting (its configuration compiled and loaded each time) where this takes 0.09 s, and a
 * service team's loop builds four packages for one edited service.
 *
 * Declarations come from TypeScript's native compiler (TypeScript 7), emitting declarations only
 * and without type-checking (`--noCheck`): with `isolatedDeclarations` each file's declarations
 * follow from the file alone, so every export of packages/* states its type and the compiler names
 * each one that does not, and the build fails.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const group = basename(dirname(process.cwd()));
// The repository: every package sits two folders down (packages/<name>, environments/<name>, tools/<name>).
const ROOT = join(process.cwd(), '../..');
const outdir = group === 'environments' ? 'lib' : 'dist';

/** src/**\/*.ts (tests left out by tsconfig.build.json) to dist/**\/*.d.ts; throws naming every export whose type is not stated. */
async function emitDeclarations() {
  const tsc = join(dirname(createRequire(join(process.cwd(), 'package.json')).resolve('typescript/package.json')), 'bin/tsc');
  const args = ['-p', 'tsconfig.json', '--emitDeclarationOnly', '--noCheck', '--declarationMap', 'false', '--pretty', 'false'];
  try {
    await promisify(execFile)(tsc, args, { encoding: 'utf8' });
  } catch (error) {
    const { stdout = '', stderr = '' } = /** @type {{ stdout?: string, stderr?: string }} */ (error);
    // tsc names files from the package's folder; a service team reads them from the repository's.
    const here = relative(ROOT, process.cwd());
    const problems = `${stdout}${stderr}`.trim().split('\n').map((line) => (line.startsWith('src/') ? join(here, line) : line));
    throw new Error(`type declarations cannot be emitted:\n${problems.join('\n')}`);
  }
}

try {
  // A build replaces the last one whole: nothing of an older build (a chunk, a map) is left to be loaded or checked.
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: ['src/index.ts', ...(existsSync('src/main.ts') ? ['src/main.ts'] : [])],
    outbase: 'src',
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    splitting: true,
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  if (group === 'packages') await emitDeclarations();
} catch (error) {
  // esbuild has already printed its errors, with file and line; its exception only counts them.
  if (!(error instanceof Error && 'errors' in error)) process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
