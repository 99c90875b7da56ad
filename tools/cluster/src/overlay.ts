/**
 * The provider-style kustomize overlay the canary runs apply on top of a distribution: the same
 * mechanism a provider uses for its SLAs. It shortens the analysis (10s interval, 3 iterations, 3
 * weight steps) so a release takes about a minute, enforces Pod Security `restricted` on the
 * namespace, and makes each service's release: a revision stamped on its pod template (a new
 * revision is a new release), plus what that release changes, in its podinfo config (the ConfigMap
 * Flagger tracks: a wrong backend URL, podinfo's random errors or delay) or its pod template.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

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

/** The analysis fields the overlay replaces, whichever strategy the Canary runs. */
export function shortenedFields(analysis: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    interval: SHORTENED.interval,
    ...(analysis['iterations'] !== undefined && { iterations: SHORTENED.iterations }),
    ...(analysis['stepWeight'] !== undefined && { stepWeight: SHORTENED.stepWeight, maxWeight: SHORTENED.maxWeight }),
  };
}

/** JSON 6902 operations that shorten one Canary's analysis. */
export const shortenAnalysis = (canary: CanaryLike): object[] =>
  Object.entries(shortenedFields(canary.spec.analysis)).map(([field, value]) => ({ op: 'replace', path: `/spec/analysis/${field}`, value }));

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

export async function writeOverlay(dir: string, distDir: string, canaries: readonly CanaryLike[], releases: Readonly<Record<string, ServiceRelease>>): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(distDir, join(dir, 'base'), { recursive: true });
  const patches: object[] = [
    {
      target: { kind: 'Namespace' },
      patch: JSON.stringify([{ op: 'add', path: '/metadata/labels/pod-security.kubernetes.io~1enforce', value: 'restricted' }]),
    },
    ...canaries.map((canary) => ({ target: { group: 'flagger.app', kind: 'Canary', name: canary.metadata.name }, patch: JSON.stringify(shortenAnalysis(canary)) })),
  ];
  for (const [service, release] of Object.entries(releases)) {
    const annotations = { 'canaryship.dev/revision': release.revision, ...release.annotations };
    patches.push({
      target: { kind: 'Deployment', name: service },
      patch: JSON.stringify(Object.entries(annotations).map(([key, value]) => ({ op: 'add', path: `/spec/template/metadata/annotations/${escapePointer(key)}`, value }))),
    });
    if (release.config) {
      const file = join(distDir, service, 'configmap.yaml');
      const configMap = parse(await readFile(file, 'utf8')) as { data: Record<string, string> };
      const config = { ...(parse(configMap.data['config.yaml'] ?? '') as Record<string, unknown>), ...release.config };
      patches.push({ target: { kind: 'ConfigMap', name: `${service}-config` }, patch: JSON.stringify([{ op: 'replace', path: '/data/config.yaml', value: stringify(config) }]) });
    }
  }
  await writeFile(join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['base'], patches }));
  return dir;
}
