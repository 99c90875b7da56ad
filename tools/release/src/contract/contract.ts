/**
 * `canaryship contract`: a distribution against the last published version of it, for what
 * providers rely on. A breaking change needs a major version (for 0.x, a minor: what a provider's
 * subscription range excludes), so that providers' Flux never picks it up on its own.
 */
import { join } from 'node:path';
import type { EnvironmentName } from '@canaryship/blocks';
import { withDistributionLock } from '@canaryship/toolchain';
import semver from 'semver';
import { publishedLayer, publishedVersions, type DiffOptions } from '../diff/diff-artifact.js';
import { objectsOf } from '../diff/object-diff.js';
import { readFiles, untarGzip } from '../oci/tar.js';
import { PublishError } from '../errors.js';
import { environmentOf, packageManifest } from '../publish.js';
import { structuralBreaks, type BreakingChange, type ObjectsById } from './breaking.js';
import { composedFrom, customisationBreaks } from './customisations.js';

export interface ContractOptions extends Omit<DiffOptions, 'version'> {
  /** The published version to compare with; default: the highest published below `version`. */
  readonly against?: string;
  /** The version the distribution will be released as (default: the package's). */
  readonly version?: string;
}

export interface ContractResult {
  /** The published version compared with; undefined when nothing was published before. */
  readonly baseline?: string;
  readonly reference?: string;
  readonly version: string;
  readonly breaking: readonly BreakingChange[];
  /** True when `version` is outside a subscription to `baseline` (a new major, or minor for 0.x). */
  readonly majorBump: boolean;
  /** Breaking changes released without a major bump: what `release` refuses. */
  readonly refused: boolean;
}

const byId = (files: ReadonlyMap<string, Buffer>): ObjectsById => new Map([...objectsOf(files)].map(([id, { object }]) => [id, object]));

/** Whether a subscription that follows `baseline`'s compatible range would skip `version`. */
export const leavesRange = (baseline: string, version: string): boolean =>
  semver.major(baseline) === 0 ? semver.major(version) > 0 || semver.minor(version) > semver.minor(baseline) : semver.major(version) > semver.major(baseline);

/** The smallest bump that takes a breaking change out of `baseline`'s subscribers' range (see leavesRange). */
export const breakingBump = (baseline: string): 'major' | 'minor' => (semver.major(baseline) === 0 ? 'minor' : 'major');

/** What the distribution in `dist` (its files: `local`) breaks for providers of a published version whose files are `published`. */
export async function breakingChanges(environment: EnvironmentName, published: ReadonlyMap<string, Buffer>, dist: string, local: ReadonlyMap<string, Buffer>): Promise<BreakingChange[]> {
  const before = byId(published);
  return [...structuralBreaks(before, byId(local)), ...(await customisationBreaks(composedFrom(environment, before), dist))];
}

/** A version given by hand must be one a release could have: semver, as the tags are. */
function releaseVersion(what: string, version: string): string {
  if (semver.valid(version) !== version) throw new PublishError(`${what} "${version}" is not a release version (MAJOR.MINOR.PATCH)`, { code: 'contract.version', exitCode: 2 });
  return version;
}

export async function contract(options: ContractOptions): Promise<ContractResult> {
  const environment = await environmentOf(options.packageDir);
  const dist = join(options.packageDir, 'dist');
  const version = options.version === undefined ? (await packageManifest(options.packageDir)).version : releaseVersion('version', options.version);
  const against = options.against === undefined ? undefined : releaseVersion('the version to compare with', options.against);
  const baseline = against ?? (await publishedVersions({ ...options, environment })).filter((v) => semver.lt(v, version)).at(-1);
  if (baseline === undefined) return { version, breaking: [], majorBump: false, refused: false };
  const published = await publishedLayer({ ...options, environment, version: baseline });
  const before = await untarGzip(published.data);
  const breaking = await withDistributionLock([dist], async () => breakingChanges(environment, before, dist, await readFiles(dist)));
  const majorBump = leavesRange(baseline, version);
  return { baseline, reference: published.reference, version, breaking, majorBump, refused: breaking.length > 0 && !majorBump };
}
