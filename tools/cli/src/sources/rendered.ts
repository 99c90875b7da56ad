/**
 * Whether a distribution on disk is what its environment package's sources render today. Commands
 * that read dist/ (validate, plan, diff, contract, summary, publish) ask this first, so
 * none acts on content the sources no longer say: an edit not yet built, a revert after a build, a
 * file changed by hand.
 */
import { lstat, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { CanaryshipError } from '@canaryship/blocks';
import { withDistributionLock } from '@canaryship/toolchain';
import { loadEnvironmentPackage, renderFiles } from '../commands/render.js';
import { distributionDir, packageDir as packageDirOf } from '../dirs.js';
import { filesUnder } from '../fs/files-under.js';
import { BUILD_HINT, isDirectory, readManifest, requireBuiltFromSources } from './built.js';
import { receiptHolds } from './receipt.js';

/** The environment package a rendered tree belongs to: its `dist/`, inside a package that exports a distribution. */
export function environmentPackageOf(dist: string): string | undefined {
  if (basename(dist) !== 'dist') return undefined;
  const packageDir = dirname(dist);
  const entry = readManifest(packageDir)?.exports?.['.']?.default;
  // Service packages build to dist/ too, as JavaScript: an environment's entry is elsewhere (lib/).
  if (typeof entry !== 'string' || entry.replace(/^\.\//, '').startsWith('dist/')) return undefined;
  return isDirectory(join(packageDir, 'src')) ? packageDir : undefined;
}

/**
 * Throws unless `dist` is exactly what the package's current sources render. `shownFrom` is the
 * folder paths in the message are relative to (the user's working directory).
 */
export async function requireRenderedFromSources(packageDir: string, shownFrom: string, dist: string = join(packageDir, 'dist')): Promise<void> {
  await requireBuiltFromSources(packageDir, shownFrom);
  // The receipt of the render that wrote this dist/, where it still holds, spares loading and rendering the package.
  if (resolve(dist) === resolve(packageDir, 'dist') && (await withDistributionLock([dist], async () => receiptHolds(packageDir, dist)))) return;
  const { definition } = await loadEnvironmentPackage(packageDir, shownFrom);
  const expected = new Map(renderFiles(definition).map((file) => [file.path, file.content]));
  const shown = relative(shownFrom, dist) || '.';
  const stale = (why: string): CanaryshipError =>
    new CanaryshipError(`${shown} is not what the sources of ${relative(shownFrom, packageDir) || '.'} render: ${why}`, { code: 'distribution.stale', hint: BUILD_HINT });
  // Read under the lock a render takes, so a render swapping the tree in is never seen half done.
  const why = await withDistributionLock([dist], async (): Promise<string | undefined> => {
    if (!(await lstat(dist).catch(() => undefined))) return 'it has not been rendered';
    const entries = filesUnder(dist);
    for (const { path, file } of entries) {
      const want = expected.get(path);
      if (want === undefined || !file) return `${path} is not part of it${file ? '' : ' (render writes only plain files)'}`;
      // Sizes first: a file of another size differs, and is never read whole (it may be huge).
      if ((await stat(join(dist, path))).size !== Buffer.byteLength(want) || (await readFile(join(dist, path), 'utf8')) !== want) return `${path} differs`;
    }
    const present = new Set(entries.map((e) => e.path));
    const missing = [...expected.keys()].sort().find((file) => !present.has(file));
    return missing && `${missing} is missing`;
  });
  if (why) throw stale(why);
}

/** For a tree a command reads: refuses a stale one when it is an environment package's dist/; other trees (an overlay, a pulled release) are the user's. */
export async function requireCurrent(dist: string, shownFrom: string): Promise<void> {
  const packageDir = environmentPackageOf(dist);
  if (packageDir) await requireRenderedFromSources(packageDir, shownFrom, dist);
}

/** A command's DIR as the environment package it names (its dist/ accepted too), absolute, refused when that dist/ is stale. */
export async function currentPackage(cwd: string, dir: string): Promise<string> {
  const packageDir = resolve(cwd, packageDirOf(cwd, dir));
  await requireCurrent(join(packageDir, 'dist'), cwd);
  return packageDir;
}

/** A command's DIR as the rendered tree it names (an environment package accepted too), absolute, refused when stale. */
export async function currentDistribution(cwd: string, dir: string): Promise<string> {
  const dist = resolve(cwd, distributionDir(cwd, dir));
  await requireCurrent(dist, cwd);
  return dist;
}
