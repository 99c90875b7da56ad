/**
 * Compiled validators, kept between runs. ajv turns a Kubernetes schema into JavaScript in about
 * 0.2 s per kind, and a whole `canaryship validate` needs a dozen kinds: most of its time. ajv can
 * print what it compiled as a module (its "standalone" code); we keep that under
 * `~/.cache/canaryship/schemas/`, named by a hash of everything the code was compiled from (the
 * exact schema ajv saw, with the documents its `$ref`s reach, ajv's version and options), so a
 * changed schema, option or ajv is a new file, never a stale hit.
 *
 * The cache is an optimisation only: a missing, unreadable, unwritable or corrupt entry means
 * compiling in this process, as without it. Entries are written beside and renamed into place,
 * so a concurrent or interrupted run never leaves half a file under a name that is trusted.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkSeal, seal, writeAtomically } from '@canaryship/toolchain';
import type { Ajv, ValidateFunction } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

/** How the generated code asks for the formats; the loader answers with the live ones. */
export const FORMATS_MODULE = 'canaryship:schema-formats';

// A CommonJS module: its default export is a property of what Node's ESM import gives.
const standaloneCode = standalone.default;
const requireFromAjv = createRequire(createRequire(import.meta.url).resolve('ajv'));
const AJV_VERSION = (requireFromAjv('ajv/package.json') as { version: string }).version;

export interface CompiledCache {
  /** Directory of cached entries; undefined: compile every time. */
  readonly dir: string | undefined;
  /** What else decides the generated code: ajv's options and the format names. */
  readonly fingerprint: string;
  /** Answers the generated code's `require(FORMATS_MODULE)`. */
  readonly formats: object;
}

const sha256 = (parts: readonly string[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
};

/** Digest of a schema document, for the keys of the schemas that reach into it. */
export const documentDigest = (document: unknown): string => sha256([JSON.stringify(document)]);

/** The entry of `schema`, whose refs reach into the documents digested as `reaches`. */
export const entryOf = (cache: CompiledCache, schema: object, reaches: readonly string[]): string | undefined =>
  cache.dir && join(cache.dir, `${sha256([AJV_VERSION, cache.fingerprint, JSON.stringify(schema), ...reaches])}.cjs`);

/** The validator an earlier run stored as `entry`; undefined when there is none or it does not load. */
export async function readCompiled(cache: CompiledCache, entry: string): Promise<ValidateFunction | undefined> {
  const code = await readFile(entry, 'utf8').catch(() => undefined);
  if (code === undefined) return undefined;
  // Code that runs: only as validate wrote it.
  await checkSeal(entry, `remove ${entry}: validate compiles it again`);
  const module: { exports: unknown } = { exports: {} };
  const require = (id: string): unknown => (id === FORMATS_MODULE ? cache.formats : requireFromAjv(id));
  try {
    // The code is ajv's own output for one of our schemas, written by writeCompiled.
    new Function('require', 'module', 'exports', code)(require, module, module.exports);
  } catch {
    return undefined; // corrupt (a disk error, someone's edit): compiled again and replaced
  }
  return typeof module.exports === 'function' ? (module.exports as ValidateFunction) : undefined;
}

/** Keeps what `ajv` (holding `code.source`) compiled as `validate`; failing to is not an error. */
export async function writeCompiled(ajv: Ajv, validate: ValidateFunction, entry: string): Promise<void> {
  try {
    await mkdir(dirname(entry), { recursive: true });
    await writeAtomically(entry, standaloneCode(ajv, validate));
    await seal(entry);
  } catch {
    // A cache entry not kept is compiled again next time.
  }
}
