/**
 * What a command's DIR names. Commands that read a distribution take the rendered tree, commands
 * about a release take the environment package; each also takes the other where the meaning is
 * clear (an environment package means its dist/, a dist/ means the package around it), as
 * `kubectl apply -k` and `flux build` take a folder either way. DIR comes back as given, or, when
 * it meant the other one, as that folder relative to the working directory (`.` included).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

const isPackage = (dir: string): boolean => existsSync(join(dir, 'package.json'));
const isRendered = (dir: string): boolean => existsSync(join(dir, 'kustomization.yaml'));

/** A rendered tree (or overlay) to read: DIR itself, or DIR/dist when DIR is a package that has one. */
export function distributionDir(cwd: string, dir: string): string {
  const path = resolve(cwd, dir);
  return !isRendered(path) && isPackage(path) && isRendered(join(path, 'dist')) ? relative(cwd, join(path, 'dist')) : dir;
}

/** An environment package: DIR itself, or the package around DIR when DIR is its dist/. */
export function packageDir(cwd: string, dir: string): string {
  const path = resolve(cwd, dir);
  return basename(path) === 'dist' && !isPackage(path) && isPackage(dirname(path)) ? relative(cwd, dirname(path)) || '.' : dir;
}
