/**
 * What one environment's change means for the providers who will receive it, gathered for a
 * pull request's reviewer: the objects that differ from the last published version, the contract
 * verdict and the changeset bump it needs, the validation findings, the images release would
 * refuse, and the plan of every Canary whose analysis changed.
 */
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { planCanary, type CanaryManifest, type CanaryPlan, type EnvironmentName } from '@canaryship/blocks';
import {
  breakingBump,
  breakingChanges,
  diffTrees,
  environmentOf,
  imagesOf,
  lastPublished,
  objectsOf,
  packageManifest,
  publishedLayer,
  readFiles,
  untarGzip,
  type BreakingChange,
  type DiffOptions,
  type ObjectChange,
  unpinnedUses,
  type UnpinnedUse,
} from '@canaryship/release';
import { withDistributionLock } from '@canaryship/toolchain';
import { loadDistribution, validateDistribution, type Finding } from '@canaryship/validate';

/** The smallest changeset bump that ships the change: a breaking one needs a version providers' ranges exclude. */
export type Bump = 'none' | 'patch' | 'minor' | 'major';

export interface EnvironmentReview {
  readonly environment: EnvironmentName;
  readonly package: string;
  readonly version: string;
  /** The published version compared with; undefined when nothing was published yet. */
  readonly baseline?: string;
  readonly changes: readonly ObjectChange[];
  readonly breaking: readonly BreakingChange[];
  readonly bump: Bump;
  readonly findings: readonly Finding[];
  /** Images named by tag alone (or not at all), each with where it runs: release refuses them. */
  readonly unpinnedImages: readonly UnpinnedUse[];
  /** Canaries whose analysis is new or changed: the plan of the published one, where there is one, and the new plan. */
  readonly plans: readonly { readonly before?: CanaryPlan; readonly after: CanaryPlan }[];
}

type Target = Omit<DiffOptions, 'packageDir' | 'version'>;

/** A distribution's Canaries' analyses, by `Kind/namespace/name`. */
const analyses = (files: ReadonlyMap<string, Buffer>): Map<string, { canary: CanaryManifest; analysis: unknown }> =>
  new Map([...objectsOf(files)].filter(([, { object }]) => object['kind'] === 'Canary').map(([id, { object }]) => [id, { canary: object as CanaryManifest, analysis: (object as { spec?: { analysis?: unknown } }).spec?.analysis }]));

export async function reviewEnvironment(packageDir: string, target: Target): Promise<EnvironmentReview> {
  const environment = await environmentOf(packageDir);
  const { name, version } = await packageManifest(packageDir);
  const dist = join(packageDir, 'dist');
  // The last release at or below the package's version: a pull request has not bumped it yet.
  const baseline = await lastPublished({ ...target, environment }, version);
  const published = baseline === undefined ? new Map<string, Buffer>() : await untarGzip((await publishedLayer({ ...target, environment, version: baseline })).data);
  // The dist is read under its lock, after the registry has answered; the published files once, for the diff and the contract both.
  const { local, findings, breaking } = await withDistributionLock([dist], async () => {
    const local = await readFiles(dist);
    return {
      local,
      findings: await validateDistribution(await loadDistribution(dist, environment)),
      breaking: baseline === undefined ? [] : await breakingChanges(environment, published, dist, local),
    };
  });
  const changes = baseline === undefined ? [] : diffTrees(published, local);
  const bump: Bump = breaking.length > 0 ? breakingBump(baseline!) : changes.length > 0 ? 'patch' : 'none';
  const before = analyses(published);
  const plans = [...analyses(local)]
    .filter(([id, { analysis }]) => !isDeepStrictEqual(before.get(id)?.analysis, analysis))
    .map(([id, { canary }]) => {
      const published = before.get(id)?.canary;
      return { ...(published && { before: planCanary(published) }), after: planCanary(canary) };
    });
  return { environment, package: name, version, ...(baseline !== undefined && { baseline }), changes, breaking, bump, findings, unpinnedImages: unpinnedUses(imagesOf(environment, local)), plans };
}
