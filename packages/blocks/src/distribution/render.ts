/** Turns a composed distribution into files: one YAML per object plus the root kustomization.yaml. */
import type { ComposedDistribution } from './compose.js';
import { toYaml } from './serialize.js';

export interface RenderedFile {
  /** Relative to the distribution root, `/`-separated. */
  readonly path: string;
  readonly content: string;
}

export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * Every field render writes in a distribution's kustomization.yaml. Readers refuse any other: each
 * of kustomize's other fields (patches, components, generators, openapi, crds, …) can make it read
 * files outside the distribution or fetch URLs.
 */
export const KUSTOMIZATION_FIELDS = ['apiVersion', 'kind', 'resources'] as const;

/** How every rendered file begins: what lets `render` recognise a directory it may replace. */
export const RENDERED_BY = '# Rendered by canaryship';

const header = (distribution: ComposedDistribution): string =>
  `${RENDERED_BY} for the ${distribution.environment} environment. Do not edit: change the source package or patch it in an overlay.\n`;

export function renderDistribution(distribution: ComposedDistribution): RenderedFile[] {
  const files = distribution.objects.map(({ path, object }) => ({ path, content: header(distribution) + toYaml(object) }));
  const kustomization: Record<(typeof KUSTOMIZATION_FIELDS)[number], unknown> = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: files.map((file) => file.path),
  };
  return [{ path: KUSTOMIZATION_FILE, content: header(distribution) + toYaml(kustomization) }, ...files].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
}
