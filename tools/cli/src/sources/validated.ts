/**
 * Validation results kept between runs, like a linter's cache: a distribution whose files are byte
 * for byte those of one validated before, at the same place, with the same layers, by the same
 * build of canaryship (its code, validate's layers and the libraries), the same pinned tools and
 * the same upstream schemas (the Kubernetes version is read from the control plane's go.mod when
 * validate runs, so it is asked for here too), has the same findings: every layer is a function of
 * those. In a service team's loop one service changes and every environment is rendered again, most
 * of them to the same bytes.
 *
 * Kept in ~/.cache/canaryship/validated/, one file per result, the oldest dropped past a few
 * hundred. Only a built canaryship keeps them: run from its sources (the tests, a mutation run) it
 * has no build to name, and always validates. An entry that does not read back whole, under its
 * own key, is not used. As with compiled schemas, the cache guards against mistakes, not against
 * someone who can write it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheRoot, keyOf, SUITES, toolOf, upstreamModule, writeAtomicallySync } from '@canaryship/toolchain';
import { LAYERS, type Finding, type Layer } from '@canaryship/validate';
import { ownBuildDigest, treeDigest } from './receipt.js';

const KEEP = 256;
const dirOf = (): string => join(cacheRoot(), 'validated');

let validator: string | undefined | null = null;
/** This build's digest, computed once per process. */
const validatorDigest = (): string | undefined => (validator === null ? (validator = ownBuildDigest()) : validator);

let pins: Promise<string[]> | undefined;
/** The pinned programs and upstream modules validation runs and reads, as pinned now; read once per process. */
const validationPins = (): Promise<string[]> =>
  (pins ??= Promise.all([
    ...SUITES.validate.tools.map(async (name) => `${name}@${await keyOf(toolOf(name).recipe)}`),
    ...SUITES.validate.modules.map(async (name) => Object.values(await upstreamModule(name)).join('@')),
  ]));

/** The key of `dist` as it is now under `layers`, or undefined when no result may be kept for it. */
export async function resultKey(dist: string, layers: readonly Layer[]): Promise<string | undefined> {
  const build = validatorDigest();
  const tree = build && treeDigest(dist);
  if (!build || !tree) return undefined;
  return createHash('sha256').update(JSON.stringify([build, await validationPins(), resolve(dist), [...layers].sort(), tree])).digest('hex');
}

const isFinding = (value: unknown): value is Finding => {
  const f = value as Partial<Finding> | null;
  return !!f && typeof f === 'object' && (LAYERS as readonly unknown[]).includes(f.layer) && typeof f.rule === 'string' && (f.severity === 'error' || f.severity === 'warning') && typeof f.distribution === 'string' && typeof f.message === 'string';
};

/** A distribution's name (as validate names it) and its findings. */
export interface KeptResult {
  readonly name: string;
  readonly findings: readonly Finding[];
}

/** The result kept under `key`, or undefined when there is none to trust. */
export function keptResult(key: string): KeptResult | undefined {
  try {
    const entry = JSON.parse(readFileSync(join(dirOf(), `${key}.json`), 'utf8')) as { key?: unknown; name?: unknown; findings?: unknown };
    return entry.key === key && typeof entry.name === 'string' && Array.isArray(entry.findings) && entry.findings.every(isFinding) ? { name: entry.name, findings: entry.findings } : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps a result under `key`; a cache that cannot be written only costs the next run the work. */
export function keepResult(key: string, result: KeptResult): void {
  const dir = dirOf();
  const path = join(dir, `${key}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    writeAtomicallySync(path, `${JSON.stringify({ key, ...result })}\n`);
    const entries = readdirSync(dir).filter((name) => name.endsWith('.json'));
    if (entries.length > KEEP) {
      const byAge = entries.map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs })).sort((a, b) => a.at - b.at);
      for (const { name } of byAge.slice(0, entries.length - KEEP)) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // Not kept: the next run validates again.
  }
}
