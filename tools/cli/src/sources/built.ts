/**
 * Whether an environment package's build still says what its sources say. `render` runs the built
 * JavaScript (lib/, and each service package's dist/), so an edit that was never built, or a revert
 * after a build, would otherwise reach dist/ and everything that reads it without a word.
 *
 * The evidence is the build's own: every source map tsup writes carries the text of each source it
 * compiled (`sourcesContent`), so a build is current exactly when each of those texts is still the
 * file on disk. No stamp of ours to keep in step, and nothing that times or clocks could fool.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { CanaryshipError } from '@canaryship/blocks';

interface Manifest {
  readonly name?: string;
  readonly exports?: { readonly '.'?: { readonly default?: string } };
  readonly dependencies?: Readonly<Record<string, string>>;
}

interface SourceMap {
  readonly sources?: readonly string[];
  readonly sourcesContent?: readonly (string | null)[];
}

/** How to bring a package's build up to date, said once for every refusal. */
export const BUILD_HINT = 'run `npm run build` (or `npx canaryship build-affected`) and try again';

const readManifest = async (dir: string): Promise<Manifest | undefined> =>
  readFile(join(dir, 'package.json'), 'utf8').then(
    (text) => JSON.parse(text) as Manifest,
    () => undefined,
  );

/** Where Node finds `name` from `dir`: the nearest node_modules/<name> up the tree, as a real path. */
async function installed(dir: string, name: string): Promise<string | undefined> {
  for (let at = dir; ; at = dirname(at)) {
    const found = await realpath(join(at, 'node_modules', name)).catch(() => undefined);
    if (found) return found;
    if (dirname(at) === at) return undefined;
  }
}

/** The package and every dependency of it that is a folder of this repository (a workspace), not an installed copy. */
export async function workspaceClosure(packageDir: string): Promise<string[]> {
  const seen = new Set<string>();
  const visit = async (dir: string): Promise<void> => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const name of Object.keys((await readManifest(dir))?.dependencies ?? {})) {
      const found = await installed(dir, name);
      if (found && !found.split(sep).includes('node_modules')) await visit(found);
    }
  };
  await visit(await realpath(packageDir));
  return [...seen];
}

/** A source the package's build no longer matches, or undefined when every compiled source is unchanged. */
async function firstChanged(packageDir: string, root: string): Promise<string | undefined> {
  const entry = (await readManifest(packageDir))?.exports?.['.']?.default;
  if (!entry) return undefined;
  const outDir = dirname(resolve(packageDir, entry));
  const shown = (path: string): string => relative(root, path) || '.';
  const maps = (await readdir(outDir, { recursive: true }).catch(() => [] as string[])).filter((file) => file.endsWith('.js.map'));
  if (maps.length === 0) {
    // A package shipped without sources (only its build) has nothing to compare with.
    const hasSources = await readdir(join(packageDir, 'src')).then(() => true, () => false);
    return hasSources ? `${shown(outDir)} has not been built` : undefined;
  }
  for (const file of maps) {
    const mapPath = join(outDir, file);
    const map = JSON.parse(await readFile(mapPath, 'utf8')) as SourceMap;
    const sources = map.sources ?? [];
    for (const [index, source] of sources.entries()) {
      const path = resolve(dirname(mapPath), source);
      const built = map.sourcesContent?.[index];
      if (typeof built !== 'string') continue;
      const now = await readFile(path, 'utf8').catch(() => undefined);
      if (now === undefined) return `${shown(path)} was removed since ${shown(outDir)} was built`;
      if (now !== built) return `${shown(path)} changed since ${shown(outDir)} was built`;
    }
  }
  return undefined;
}

/** Throws naming the first source an environment package's build (or that of a service it imports) no longer matches. */
export async function requireBuiltFromSources(packageDir: string, root: string): Promise<void> {
  for (const dir of await workspaceClosure(packageDir)) {
    const changed = await firstChanged(dir, root);
    if (changed) {
      const name = (await readManifest(packageDir))?.name ?? packageDir;
      throw new CanaryshipError(`${name} is older than its sources: ${changed}`, { code: 'build.stale', hint: BUILD_HINT });
    }
  }
}
