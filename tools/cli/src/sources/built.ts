/**
 * Whether an environment package's build still says what its sources say. `render` runs the built
 * JavaScript (lib/, and each service package's dist/), so an edit that was never built, or a revert
 * after a build, would otherwise reach dist/ and everything that reads it without a word.
 *
 * The evidence is the build's own: every source map build.mjs (esbuild) writes carries the text of each source it
 * compiled (`sourcesContent`), so a package's build is stale when one of those texts is no longer
 * the file on disk. No stamp of ours to keep in step, and nothing that times or clocks could fool.
 * What the maps do not hold (the build's configuration: build.mjs, tsconfig) is not judged.
 */
// Synchronous reads: some sixty small files at every start, where a promise each cost render a tenth of its CPU.
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { CanaryshipError } from '@canaryship/blocks';

interface Manifest {
  readonly name?: string;
  readonly version?: string;
  readonly exports?: { readonly '.'?: { readonly default?: string } };
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

interface SourceMap {
  readonly sources?: readonly string[];
  readonly sourceRoot?: string;
  readonly sourcesContent?: readonly (string | null)[];
}

/** How to bring a package's build up to date, said once for every refusal. */
export const BUILD_HINT = 'run `npm run build` (or `npx canaryship build-affected`) and try again';

const attempt = <T>(read: () => T): T | undefined => {
  try {
    return read();
  } catch {
    return undefined;
  }
};

/** A package's package.json, or undefined when it has none or it is not JSON. */
export const readManifest = (dir: string): Manifest | undefined => attempt(() => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest);

export const isDirectory = (path: string): boolean => attempt(() => readdirSync(path)) !== undefined;

/** Where Node finds `name` from `dir`: the nearest node_modules/<name> up the tree, as a real path. */
function installed(dir: string, name: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const found = attempt(() => realpathSync(join(at, 'node_modules', name)));
    if (found) return found;
    if (dirname(at) === at) return undefined;
  }
}

/** What a package's build runs on: the folders of this repository it loads, and the installed packages they import. */
export interface Closure {
  /** The package and every dependency of it (peers too) that is a folder of this repository (a workspace, linked by npm), as real paths. */
  readonly workspace: readonly string[];
  /** Every other dependency of those, as installed (real paths, each once). */
  readonly installed: readonly string[];
}

/**
 * The package's closure. Real paths, so a repository reached through a symlink is one tree.
 */
export function dependencyClosure(packageDir: string): Closure {
  const start = realpathSync(packageDir);
  const seen = new Set<string>();
  const installedOnes = new Set<string>();
  const visit = (dir: string, root: string): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const manifest = readManifest(dir);
    for (const name of Object.keys({ ...manifest?.dependencies, ...manifest?.peerDependencies })) {
      const found = installed(dir, name);
      if (!found) continue;
      // Installed copies live under a node_modules folder of their own; the repository itself may sit under one.
      if (relative(root, found).split(sep).includes('node_modules')) installedOnes.add(found);
      else visit(found, root);
    }
  };
  // The repository's root: the nearest folder above the package that holds node_modules.
  let root = dirname(start);
  while (dirname(root) !== root && !isDirectory(join(root, 'node_modules'))) root = dirname(root);
  visit(start, root);
  return { workspace: [...seen], installed: [...installedOnes].sort() };
}

export const workspaceClosure = (packageDir: string): readonly string[] => dependencyClosure(packageDir).workspace;

/** Where a package's build writes (the folder of its entry), or undefined when its manifest names none. */
export function buildDir(packageDir: string): string | undefined {
  const entry = readManifest(packageDir)?.exports?.['.']?.default;
  return entry ? dirname(resolve(packageDir, entry)) : undefined;
}

/** A source the package's build no longer matches, or undefined when every compiled source is unchanged. */
function firstChanged(packageDir: string, shownFrom: string): string | undefined {
  const outDir = buildDir(packageDir);
  if (!outDir) return undefined;
  const shown = (path: string): string => relative(shownFrom, path) || '.';
  // A package shipped without sources (only its build) has nothing to compare with.
  if (!isDirectory(join(packageDir, 'src'))) return undefined;
  // The build writes its maps beside the bundles, at the top of the folder (declarations go in folders below).
  const maps = (attempt(() => readdirSync(outDir)) ?? []).filter((file) => file.endsWith('.js.map'));
  if (maps.length === 0) return `${shown(outDir)} has not been built`;
  for (const file of maps.sort()) {
    const mapPath = join(outDir, file);
    const map = attempt(() => JSON.parse(readFileSync(mapPath, 'utf8')) as SourceMap);
    if (!map) return `${shown(mapPath)} cannot be read as a source map (an interrupted build?)`;
    for (const [index, source] of (map.sources ?? []).entries()) {
      const path = resolve(dirname(mapPath), map.sourceRoot ?? '', source);
      // Only the package's own sources: a map may name files of other packages or generated ones.
      if (relative(packageDir, path).startsWith('..')) continue;
      const built = map.sourcesContent?.[index];
      if (typeof built !== 'string') return `${shown(mapPath)} does not hold the text of ${shown(path)}, so its build cannot be checked`;
      const now = attempt(() => readFileSync(path, 'utf8'));
      if (now === undefined) return `${shown(path)} was removed since ${shown(outDir)} was built`;
      if (now !== built) return `${shown(path)} changed since ${shown(outDir)} was built`;
    }
  }
  return undefined;
}

/** Throws naming the first source an environment package's build (or that of a service it imports) no longer matches. */
export async function requireBuiltFromSources(packageDir: string, shownFrom: string): Promise<void> {
  const from = attempt(() => realpathSync(shownFrom)) ?? shownFrom;
  for (const dir of workspaceClosure(packageDir)) {
    const changed = firstChanged(dir, from);
    if (changed) {
      const name = readManifest(packageDir)?.name ?? packageDir;
      throw new CanaryshipError(`${name} is older than its sources: ${changed}`, { code: 'build.stale', hint: BUILD_HINT });
    }
  }
}
