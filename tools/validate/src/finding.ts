/** One problem a validation layer found, located precisely enough to fix without searching. */
export type Layer = 'schema' | 'references' | 'policy' | 'kustomize' | 'slo-queries';
export const LAYERS: readonly Layer[] = ['schema', 'references', 'policy', 'kustomize', 'slo-queries'];

export interface Finding {
  readonly layer: Layer;
  /** Stable rule id, e.g. `schema.unknown-field`, `policy.run-as-non-root`. */
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  /** Distribution name (environment), file inside it, and `Kind/namespace/name`. */
  readonly distribution: string;
  readonly file?: string;
  readonly object?: string;
  /** Field path in the object, e.g. `spec.template.spec.containers[0].image`. */
  readonly path?: string;
  readonly message: string;
}

export const formatFinding = (f: Finding): string =>
  `${f.severity} ${f.distribution}${f.file ? `/${f.file}` : ''}${f.object ? ` ${f.object}` : ''}${f.path ? ` ${f.path}` : ''}: ${f.message} [${f.rule}]`;

/** Dot path with [index] for arrays, from path segments. */
export const fieldPath = (segments: readonly (string | number)[]): string =>
  segments.reduce<string>((path, segment) => (typeof segment === 'number' ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
