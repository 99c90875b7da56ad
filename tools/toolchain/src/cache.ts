/**
 * Where provisioned programs live: `~/.cache/canaryship/tools/<name>/<key>/`, one directory per
 * pinned version (the key), written beside and renamed into place when complete, so an interrupted
 * build never leaves a half-written binary where a later run would trust it.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlPlaneKubernetesVersion } from './go.js';
import { cacheRoot } from '../runtime/cache-root.mjs';
import type { Recipe, Tool } from './pins.js';

export { cacheRoot };

/** This repository's Go modules (tools/<dir>), beside this package. */
export const GO_MODULES_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Hash of a Go module of ours: its go.mod, go.sum and top-level sources decide what it builds. */
async function moduleHash(moduleDir: string): Promise<string> {
  const dir = join(GO_MODULES_ROOT, moduleDir);
  const files = (await readdir(dir)).filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go')).sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(await readFile(join(dir, file))).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/** The version a recipe builds, as shown to people. */
export async function versionOf(recipe: Recipe): Promise<string> {
  switch (recipe.from) {
    case 'go-install':
      return recipe.version;
    case 'go-build':
      return recipe.kubernetesVersion ? await controlPlaneKubernetesVersion() : `tools/${recipe.moduleDir}`;
    case 'debian':
      return 'Debian package';
  }
}

/** Cache key of a recipe: changes whenever what it builds changes. */
export async function keyOf(recipe: Recipe): Promise<string> {
  switch (recipe.from) {
    case 'go-install':
      return [recipe.version, ...(recipe.tags ?? [])].join('+');
    case 'go-build':
      return `${recipe.kubernetesVersion ? `${await controlPlaneKubernetesVersion()}-` : ''}${await moduleHash(recipe.moduleDir)}`;
    case 'debian':
      return 'system';
  }
}

export const toolDir = async (tool: Tool, env?: NodeJS.ProcessEnv): Promise<string> => join(cacheRoot(env), 'tools', tool.name, await keyOf(tool.recipe));

/** The binary's path inside its cache directory (`go install` names it after the package's last element). */
export const binaryIn = (dir: string, tool: Tool): string =>
  join(dir, tool.recipe.from === 'go-install' ? (tool.recipe.package.split('/').filter((p) => !/^v\d+$/.test(p)).at(-1) ?? tool.name) : tool.name);
