/** Pod templates and containers of the workload kinds a distribution may hold. */
import type { LoadedObject, Manifest } from '../load.js';

export interface PodTemplate {
  readonly owner: LoadedObject;
  /** Field path of the template, e.g. `spec.template`. */
  readonly path: string;
  readonly labels: Record<string, string>;
  readonly spec: Manifest;
}

const TEMPLATE_PATHS: Record<string, string> = {
  Deployment: 'spec.template',
  StatefulSet: 'spec.template',
  DaemonSet: 'spec.template',
  ReplicaSet: 'spec.template',
  Job: 'spec.template',
};

export function podTemplates(objects: readonly LoadedObject[]): PodTemplate[] {
  return objects.flatMap((owner) => {
    const path = TEMPLATE_PATHS[String(owner.object['kind'])];
    const template = owner.object['spec']?.template as Manifest | undefined;
    if (!path || !template) return [];
    return [{ owner, path, labels: (template['metadata']?.labels ?? {}) as Record<string, string>, spec: (template['spec'] ?? {}) as Manifest }];
  });
}

export interface ContainerRef {
  readonly container: Manifest;
  /** e.g. `spec.template.spec.containers[0]`. */
  readonly path: string;
}

export const containersOf = (template: PodTemplate): ContainerRef[] =>
  (['initContainers', 'containers'] as const).flatMap((field) =>
    ((template.spec[field] ?? []) as Manifest[]).map((container, index) => ({ container, path: `${template.path}.spec.${field}[${index}]` })),
  );

export const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
