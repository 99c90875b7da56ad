/**
 * Releases of the app's services, as the cluster scenarios make them. The canary runs apply a
 * provider-style kustomize overlay on top of a distribution (the mechanism a provider uses for its
 * SLAs): it shortens the analysis (10s interval, 3 iterations, 3 weight steps, the threshold grown
 * by the checks a new canary meets before its series have values) so a release takes about a
 * minute, enforces Pod Security `restricted` on the namespace, and makes each service's release: a
 * revision stamped on its pod template (a new revision is a new release), plus what that release
 * changes, in its podinfo config (the ConfigMap Flagger tracks: a wrong backend URL,
 * podinfo's random errors or delay) or its pod template. The Flux scenario writes the same
 * releases into a distribution's files instead, as a service team's new version would change them.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { durationSeconds } from '@canaryship/blocks';
import { parse, parseDocument, stringify } from 'yaml';
import type { Cluster } from '../kube/cluster.js';
import { getJson } from '../kube/kubectl.js';

export const SHORTENED = { interval: '10s', iterations: 3, stepWeight: 20, maxWeight: 60 } as const;

interface CanaryLike {
  readonly metadata: { readonly name: string };
  readonly spec: { readonly analysis: Record<string, unknown> };
}

/** One service's release: its revision, and what it changes. */
export interface ServiceRelease {
  readonly revision: string;
  /** Keys set in the service's podinfo config.yaml (its ConfigMap). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Annotations set on its pod template. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * Failed checks a shortened analysis allows for a new canary's lack of values: its pods' series have
 * no rate until two scrapes have seen them, and Flagger counts each check before that as failed.
 * That is up to ⌈2·scrape/interval⌉ − 1 checks, and one more for a tick that comes early; an
 * analysis at its own interval (a minute) meets none on these Prometheus installs.
 */
export const noValueAllowance = (scrapeIntervalSeconds: number): number => Math.ceil((2 * scrapeIntervalSeconds) / durationSeconds(SHORTENED.interval));

/**
 * The analysis fields the overlay replaces, whichever strategy the Canary runs, for an environment
 * whose Prometheus scrapes every `scrapeIntervalSeconds`: the threshold grows by the checks that
 * cannot have values yet, so a good release is not rolled back for being new.
 */
export function shortenedFields(
  analysis: { readonly threshold?: unknown; readonly iterations?: unknown; readonly stepWeight?: unknown },
  scrapeIntervalSeconds: number,
): { interval: typeof SHORTENED.interval; threshold?: number; iterations?: number; stepWeight?: number; maxWeight?: number } {
  return {
    interval: SHORTENED.interval,
    ...(typeof analysis.threshold === 'number' && { threshold: analysis.threshold + noValueAllowance(scrapeIntervalSeconds) }),
    ...(analysis.iterations !== undefined && { iterations: SHORTENED.iterations }),
    ...(analysis.stepWeight !== undefined && { stepWeight: SHORTENED.stepWeight, maxWeight: SHORTENED.maxWeight }),
  };
}

/** JSON 6902 operations that shorten one Canary's analysis. */
export const shortenAnalysis = (canary: CanaryLike, scrapeIntervalSeconds: number): object[] =>
  Object.entries(shortenedFields(canary.spec.analysis, scrapeIntervalSeconds)).map(([field, value]) => ({ op: 'replace', path: `/spec/analysis/${field}`, value }));

/** Where a release's revision is stamped on its pod template: the tests tell releases apart by it. */
const REVISION_ANNOTATION = 'canaryship.dev/revision';

const revisionAnnotations = (release: ServiceRelease): Record<string, string> => ({ [REVISION_ANNOTATION]: release.revision, ...release.annotations });

/** The release a Deployment's pods run (its revision; '' before any release was stamped). */
export async function deployedRevision(cluster: Cluster, namespace: string, deployment: string): Promise<string> {
  const object = await getJson<{ spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } }>(cluster.kubectl, 'deployment', deployment, '-n', namespace);
  return object.spec?.template?.metadata?.annotations?.[REVISION_ANNOTATION] ?? '';
}

/** A service's podinfo config.yaml with the release's keys set, from its ConfigMap file. */
function releasedConfig(configMapFile: string, changes: Readonly<Record<string, unknown>>): string {
  const configMap = parse(configMapFile) as { data: Record<string, string> };
  return stringify({ ...(parse(configMap.data['config.yaml'] ?? '') as Record<string, unknown>), ...changes });
}

/**
 * Writes each service's release into the distribution's own files (its Deployment's pod template,
 * its ConfigMap), keeping everything else, comments included, as rendered.
 */
export async function writeReleases(distDir: string, releases: Readonly<Record<string, ServiceRelease>>): Promise<void> {
  for (const [service, release] of Object.entries(releases)) {
    const deploymentFile = join(distDir, service, 'deployment.yaml');
    const deployment = parseDocument(await readFile(deploymentFile, 'utf8'));
    for (const [key, value] of Object.entries(revisionAnnotations(release))) deployment.setIn(['spec', 'template', 'metadata', 'annotations', key], value);
    await writeFile(deploymentFile, deployment.toString());
    if (release.config) {
      const configMapFile = join(distDir, service, 'configmap.yaml');
      const configMap = parseDocument(await readFile(configMapFile, 'utf8'));
      configMap.setIn(['data', 'config.yaml'], releasedConfig(configMap.toString(), release.config));
      await writeFile(configMapFile, configMap.toString());
    }
  }
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

export async function writeOverlay(dir: string, distDir: string, canaries: readonly CanaryLike[], releases: Readonly<Record<string, ServiceRelease>>, scrapeIntervalSeconds: number): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(distDir, join(dir, 'base'), { recursive: true });
  const patches: object[] = [
    {
      target: { kind: 'Namespace' },
      patch: JSON.stringify([{ op: 'add', path: '/metadata/labels/pod-security.kubernetes.io~1enforce', value: 'restricted' }]),
    },
    ...canaries.map((canary) => ({ target: { group: 'flagger.app', kind: 'Canary', name: canary.metadata.name }, patch: JSON.stringify(shortenAnalysis(canary, scrapeIntervalSeconds)) })),
  ];
  for (const [service, release] of Object.entries(releases)) {
    const annotations = revisionAnnotations(release);
    patches.push({
      target: { kind: 'Deployment', name: service },
      patch: JSON.stringify(Object.entries(annotations).map(([key, value]) => ({ op: 'add', path: `/spec/template/metadata/annotations/${escapePointer(key)}`, value }))),
    });
    if (release.config) {
      const value = releasedConfig(await readFile(join(distDir, service, 'configmap.yaml'), 'utf8'), release.config);
      patches.push({ target: { kind: 'ConfigMap', name: `${service}-config` }, patch: JSON.stringify([{ op: 'replace', path: '/data/config.yaml', value }]) });
    }
  }
  await writeFile(join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['base'], patches }));
  return dir;
}
