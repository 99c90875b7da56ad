/**
 * The provider's side: the bundle applied once, Flux pulling and applying each release, Flagger
 * judging it. Works against any cluster with Flux's source- and kustomize-controller and the mesh
 * (kind with `flux install`, the local control plane with the controllers run beside it).
 */
import { writeFile } from 'node:fs/promises';
import { composeDistribution, customisationPatches, ENVIRONMENT_PROFILES, providerBundle, toYaml, type BundleInput, type Canary, type Customisation, type DistributionDefinition, type FluxDuration } from '@canaryship/blocks';
import { awaitVerdict, type Verdict } from '../kube/canary-state.js';
import type { Cluster } from '../kube/cluster.js';
import { fluxStatus, reconcileNow, type FluxStatus } from '../control-plane/flux.js';
import { deployedRevision, shortenedFields } from '../canary-runs/overlay.js';
import { waitUntil } from '../processes.js';

export interface Subscription extends BundleInput {
  /** How often Flux looks for a new release; the bundle's 5m is a provider's default, a test wants them sooner. */
  readonly pollInterval?: FluxDuration;
  /** A mirror of Flagger's own artifact (`oci://host/path`, plain HTTP), for a cluster that cannot reach ghcr.io or Sigstore. */
  readonly flaggerMirror?: string;
}

/** The objects a provider applies: the bundle, with the subscription's poll interval and Flagger mirror. */
export function subscriptionObjects(subscription: Subscription): object[] {
  return providerBundle(subscription).map(({ object }) => {
    const o = structuredClone(object) as { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
    if (o.kind === 'OCIRepository' && o.metadata.name === 'flagger' && subscription.flaggerMirror) {
      o.spec['url'] = subscription.flaggerMirror;
      o.spec['insecure'] = true;
      delete o.spec['verify'];
    }
    if (o.kind === 'OCIRepository' && o.metadata.name === 'webapp' && subscription.pollInterval) o.spec['interval'] = subscription.pollInterval;
    return o;
  });
}

/** Applies the subscription (server-side, as the provider's field manager), writing it to `file` first. */
export async function subscribe(cluster: Cluster, subscription: Subscription, file: string): Promise<void> {
  await writeFile(file, subscriptionObjects(subscription).map((o) => toYaml(o)).join('---\n'));
  await cluster.kubectl('apply', '--server-side', '--field-manager=provider', '-f', file);
}

/**
 * Every analysis shortened to about a minute (the canary runs' settings), from the provider's
 * customisation surface: what a provider who wants quick verdicts patches, and what keeps an
 * end-to-end run within its time.
 */
export function quickAnalyses(definition: DistributionDefinition): Customisation[] {
  const canaries = composeDistribution(definition).objects.filter((o) => o.object.kind === 'Canary').map((o) => o.object as Canary);
  const { scrapeIntervalSeconds } = ENVIRONMENT_PROFILES[definition.environment];
  return canaries.map((c): Customisation => ({ kind: 'analysis', service: c.metadata.name ?? '', ...shortenedFields(c.spec.analysis, scrapeIntervalSeconds) }));
}

export const patchesOf = (definition: DistributionDefinition, customisations: readonly Customisation[]) => {
  const all = customisations.map((c) => customisationPatches(definition, c));
  return { patches: all.flatMap((c) => c.patches), objects: all.flatMap((c) => c.objects) };
};

/** Waits until Flux has applied `revision` (`<tag>@sha256:<digest>`) of the app. */
export async function awaitApplied(cluster: Cluster, revision: string, timeoutMs: number): Promise<FluxStatus> {
  let last: FluxStatus | undefined;
  await waitUntil(
    `Flux to apply ${revision}`,
    async () => {
      last = await fluxStatus(cluster, 'kustomization', 'webapp');
      return last?.ready === 'True' && last.revision === revision;
    },
    timeoutMs,
    cluster.processes,
    async () => `Kustomization ${JSON.stringify(last)}, OCIRepository ${JSON.stringify(await fluxStatus(cluster, 'ocirepository', 'webapp'))}`,
  );
  return last!;
}

export interface Judged {
  readonly verdict: Verdict;
  /** The revision the service's primary runs after the verdict. */
  readonly primaryRevision: string;
}

/**
 * A release published to the registry, through the provider's Flux to Flagger's verdict on
 * `service`: the source asked to look now (as `flux reconcile source oci` does), the release
 * applied, the verdict awaited.
 */
export async function judgeRelease(cluster: Cluster, release: { revision: string; service: string; namespace: string }, timeouts = { applyMs: 5 * 60_000, verdictMs: 10 * 60_000 }): Promise<Judged> {
  await reconcileNow(cluster, 'ocirepository', 'webapp');
  await awaitApplied(cluster, release.revision, timeouts.applyMs);
  const verdict = await awaitVerdict(cluster, release.namespace, release.service, timeouts.verdictMs);
  return { verdict, primaryRevision: await deployedRevision(cluster, release.namespace, `${release.service}-primary`) };
}
