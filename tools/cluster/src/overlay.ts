/**
 * The provider-style kustomize overlay the canary runs apply on top of a distribution: the same
 * mechanism a provider uses for its SLAs. It shortens the analysis (10s interval, 3 iterations, 3
 * weight steps) so a release takes about a minute, enforces Pod Security `restricted` on the
 * namespace, and stamps a revision on the pod templates (a new revision is a new release).
 */
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const SHORTENED = { interval: '10s', iterations: 3, stepWeight: 20, maxWeight: 60 } as const;

interface CanaryLike {
  readonly metadata: { readonly name: string };
  readonly spec: { readonly analysis: Record<string, unknown> };
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

export async function writeOverlay(dir: string, distDir: string, canaries: readonly CanaryLike[], revision: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(distDir, join(dir, 'base'), { recursive: true });
  const patches = [
    {
      target: { kind: 'Namespace' },
      patch: JSON.stringify([{ op: 'add', path: '/metadata/labels/pod-security.kubernetes.io~1enforce', value: 'restricted' }]),
    },
    ...canaries.map((canary) => ({ target: { group: 'flagger.app', kind: 'Canary', name: canary.metadata.name }, patch: JSON.stringify(shortenAnalysis(canary)) })),
    {
      target: { kind: 'Deployment', labelSelector: 'app.kubernetes.io/component!=test-runner' },
      patch: JSON.stringify([{ op: 'add', path: '/spec/template/metadata/annotations/canaryship.dev~1revision', value: revision }]),
    },
  ];
  await writeFile(join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['base'], patches }));
  return dir;
}
