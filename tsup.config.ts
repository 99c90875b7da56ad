/**
 * The one build configuration every package uses (Nx runs `tsup --config ../../tsup.config.ts` in
 * the package's folder): src/index.ts to ESM for Node 20, plus src/main.ts where a package has one
 * (the CLI's entry). Dependencies stay external, so each workspace package is loaded once and its
 * error classes keep their identity; dynamic imports become their own chunks, so the CLI loads only
 * the command it runs. Type declarations are emitted for what service teams consume (packages/*);
 * private tools and the environments (shipped as OCI artifacts, compiled to lib/ because dist/ is
 * the distribution) need none. Type-checking is `npm run typecheck`: one tsc pass over every source.
 *
 * Declarations come from TypeScript's isolated-declarations emitter, file by file, not from tsup's
 * `dts` (rollup-plugin-dts over a whole type-checked program per package: 1.2 to 4 s of CPU each,
 * most of a cold build). The price is that every export of packages/* states its type; the emitter
 * names each one that does not, and the build fails.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { defineConfig } from 'tsup';

const group = basename(dirname(process.cwd()));

const isSource = (name: string): boolean => name.endsWith('.ts') && !/\.test(-d)?\.ts$|^test-fixtures\.ts$/.test(name);

/** src/**\/*.ts (tests left out) to dist/**\/*.d.ts; throws naming every export whose type is not stated. */
async function emitDeclarations(): Promise<void> {
  // Loaded here, not at the top: only packages/* pay for TypeScript (0.3 s of CPU).
  const { default: ts } = await import('typescript');
  const problems: string[] = [];
  for (const entry of readdirSync('src', { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !isSource(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    const { outputText, diagnostics = [] } = ts.transpileDeclaration(readFileSync(file, 'utf8'), { fileName: file, reportDiagnostics: true });
    for (const d of diagnostics) {
      const { line, character } = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
      problems.push(`${relative('../..', file)}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
    const out = join('dist', relative('src', file)).replace(/\.ts$/, '.d.ts');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  if (problems.length > 0) throw new Error(`type declarations cannot be emitted:\n${problems.join('\n')}`);
}

export default defineConfig({
  entry: ['src/index.ts', ...(existsSync('src/main.ts') ? ['src/main.ts'] : [])],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  splitting: true,
  skipNodeModulesBundle: true,
  sourcemap: true,
  onSuccess: group === 'packages' ? emitDeclarations : undefined,
  clean: true,
  silent: true,
  outDir: group === 'environments' ? 'lib' : 'dist',
});
