/**
 * What one environment's change means for the providers who will receive it, gathered for a
 * pull request's reviewer: the objects that differ from the last published version, the contract
 * verdict and the changeset bump it needs, the validation findings, and the plan of every Canary
 * whose analysis changed.
 */
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { planCanary, type CanaryManifest, type CanaryPlan, type EnvironmentName } from '@canaryship/blocks';
import {
  contract,
  diffTrees,
  environmentOf,
  packageManifest,
  lastPublished,
  publishedLayer,
  readFiles,
  untarGzip,
  type BreakingChange,
  type DiffOptions,
  type ObjectChange,
} from '@canaryship/release';
import { loadDistribution, validateDistribution, type Finding } from '@canaryship/validate';
import { parseAllDocuments } from 'yaml';

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
  /** Canaries whose analysis is new or changed. */
  readonly plans: readonly CanaryPlan[];
}

type Target = Omit<DiffOptions, 'packageDir' | 'version'>;

const canaries = (files: ReadonlyMap<string, Buffer>): Map<string, CanaryManifest & { spec?: { analysis?: unknown } }> => {
  const found = new Map<string, CanaryManifest>();
  for (const [file, content] of files) {
    if (!file.endsWith('.yaml')) continue;
    for (const doc of parseAllDocuments(content.toString('utf8'))) {
      const o = doc.toJS({ maxAliasCount: 100 }) as (CanaryManifest & { kind?: unknown }) | null;
      if (o && o.kind === 'Canary') found.set(`${String(o.metadata?.namespace ?? '')}/${String(o.metadata?.name ?? '')}`, o);
    }
  }
  return found;
};

export async function reviewEnvironment(packageDir: string, target: Target): Promise<EnvironmentReview> {
  const environment = await environmentOf(packageDir);
  const { name, version } = await packageManifest(packageDir);
  const dist = join(packageDir, 'dist');
  const local = await readFiles(dist);
  const findings = await validateDistribution(await loadDistribution(dist, environment));
  // The last release at or below the package's version: a pull request has not bumped it yet.
  const baseline = await lastPublished({ ...target, environment }, version);
  const published = baseline === undefined ? new Map<string, Buffer>() : await untarGzip((await publishedLayer({ ...target, environment, version: baseline })).data);
  const changes = baseline === undefined ? [] : diffTrees(published, local);
  const { breaking } = baseline === undefined ? { breaking: [] } : await contract({ ...target, packageDir, against: baseline, version });
  const bump: Bump = breaking.length > 0 ? (baseline!.startsWith('0.') ? 'minor' : 'major') : changes.length > 0 ? 'patch' : 'none';
  const before = canaries(published);
  const plans = [...canaries(local)].filter(([id, c]) => !isDeepStrictEqual(before.get(id)?.spec?.analysis, c.spec?.analysis)).map(([, c]) => planCanary(c));
  return { environment, package: name, version, ...(baseline !== undefined && { baseline }), changes, breaking, bump, findings, plans };
}
