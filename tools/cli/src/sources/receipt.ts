/**
 * A render's receipt: what `render` rendered an environment package's dist/ from (a digest of every
 * built file and manifest it loaded, the installed libraries' versions and this command line's own
 * build) and what it wrote (a digest of the tree). A later check that finds both digests unchanged
 * knows dist/ is what the sources render without loading and rendering the package again: rendering
 * is deterministic, so the same inputs give the same tree. Anything else (no receipt, either digest
 * changed) falls back to rendering and comparing; a receipt can make a check faster, never laxer.
 *
 * It lives in the build's folder (lib/), which every build replaces whole and Nx restores with dist/,
 * so a receipt and the tree it describes travel together.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAtomicallySync } from '@canaryship/toolchain';
import { filesUnder } from '../fs/files-under.js';
import { buildDir, dependencyClosure, readManifest } from './built.js';

const RECEIPT = '.render-receipt.json';

interface Receipt {
  readonly inputs: string;
  readonly dist: string;
}

// This command line's own build: the code that composes and writes the files is part of what a render ran.
const OWN_BUILD = dirname(fileURLToPath(import.meta.url));

// Larger than any rendered file or build chunk: such a tree is left to the comparison, which reads sizes first.
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Adds a named value to the digest, length-prefixed so no two sequences of entries hash alike. */
const add = (hash: Hash, name: string, bytes: Buffer | string): void => {
  hash.update(`${Buffer.byteLength(name)}:${name}:${Buffer.byteLength(bytes)}:`).update(bytes);
};

/** A file's bytes, refused (an exception) when it is not a plain file of a plausible size. */
function bytesOf(path: string): Buffer {
  const stat = lstatSync(path);
  if (!stat.isFile() || stat.size > MAX_FILE_BYTES) throw new Error(`${path} is not a file a render reads or writes`);
  return readFileSync(path);
}

/** Every `.js` file under `dir`, named relative to `base`. */
function addScripts(hash: Hash, base: string, dir: string): void {
  for (const { path, file } of filesUnder(dir)) if (file && path.endsWith('.js')) add(hash, relative(base, join(dir, path)), bytesOf(join(dir, path)));
}

/**
 * The built code of a package and of every workspace package it depends on, with the versions of
 * the libraries they load; `own` adds the running command line's build. Undefined when any of it
 * cannot be read.
 */
function closureDigest(packageDir: string, own: boolean): string | undefined {
  try {
    const hash = createHash('sha256');
    const { workspace, installed } = dependencyClosure(packageDir);
    // Named relative to the package, so a receipt holds wherever the repository is checked out.
    const base = workspace[0] ?? packageDir;
    for (const dir of [...workspace].sort()) {
      const outDir = buildDir(dir);
      if (!outDir) return undefined;
      // The manifest too: its name and version may be in what the package renders.
      add(hash, relative(base, join(dir, 'package.json')), bytesOf(join(dir, 'package.json')));
      addScripts(hash, base, outDir);
    }
    for (const dir of installed) {
      const manifest = readManifest(dir);
      add(hash, `installed:${manifest?.name}`, String(manifest?.version));
    }
    if (own) addScripts(hash, OWN_BUILD, OWN_BUILD);
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

/** What a render of the package would run on now; undefined when any of it cannot be read. */
export const renderInputsDigest = (packageDir: string): string | undefined => closureDigest(packageDir, true);

/**
 * This command line's own build, with everything it runs (validate's layers, the pinned tools'
 * versions, the libraries): undefined when it runs from its sources (tests, a mutation run), which
 * have no build to name.
 */
export function ownBuildDigest(): string | undefined {
  let dir = OWN_BUILD;
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
  const outDir = buildDir(dir);
  if (!outDir || relative(outDir, OWN_BUILD).startsWith('..')) return undefined;
  return closureDigest(dir, false);
}

/** The tree as written: names, kinds and bytes; undefined when it cannot be read or holds anything but plain files. */
export function treeDigest(dir: string): string | undefined {
  try {
    const hash = createHash('sha256');
    for (const { path, file } of filesUnder(dir)) {
      if (!file) return undefined;
      add(hash, path, bytesOf(join(dir, path)));
    }
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

const receiptPath = (packageDir: string): string | undefined => {
  const outDir = buildDir(packageDir);
  return outDir && join(outDir, RECEIPT);
};

/**
 * Records that a render run on `inputs` (taken before the package was loaded, so a later change can
 * only make the receipt disagree) wrote `dist`. Called under the distribution's lock, after the swap.
 */
export function writeReceipt(packageDir: string, inputs: string, dist: string): void {
  const path = receiptPath(packageDir);
  const written = treeDigest(dist);
  if (!path || !written) return;
  const receipt: Receipt = { inputs, dist: written };
  try {
    // A reader sees the old receipt or the new one, never half of one.
    writeAtomicallySync(path, `${JSON.stringify(receipt)}\n`);
  } catch {
    // Without a receipt the next check renders and compares: slower, as sure. The render itself succeeded.
  }
}

/** Whether the package's receipt vouches for `dist` as it is now. Called under the distribution's lock. */
export function receiptHolds(packageDir: string, dist: string): boolean {
  const path = receiptPath(packageDir);
  if (!path) return false;
  let receipt: Partial<Receipt>;
  try {
    receipt = JSON.parse(readFileSync(path, 'utf8')) as Partial<Receipt>;
  } catch {
    return false;
  }
  return typeof receipt.inputs === 'string' && typeof receipt.dist === 'string' && receipt.dist === treeDigest(dist) && receipt.inputs === renderInputsDigest(packageDir);
}
