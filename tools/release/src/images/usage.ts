/**
 * Where a rendered distribution names container images: every container, init container and
 * ephemeral container of every object that holds a pod template, with the object and field, so
 * that a problem with an image names who runs it.
 */
import { objectsOf } from '../diff/object-diff.js';
import { parseImageReference, type ImageReference } from './reference.js';

export interface ImageUse {
  readonly environment: string;
  /** `Kind/namespace/name` */
  readonly object: string;
  /** The distribution's file that holds the object. */
  readonly file: string;
  /** Dot path of the `image` field, e.g. `spec.template.spec.containers[0].image`. */
  readonly field: string;
  /** As written in the distribution. */
  readonly value: string;
  /** Undefined where the value is not a reference Docker would pull. */
  readonly reference?: ImageReference;
}

type Json = Record<string, unknown>;

/** Where each kind keeps its pod spec. */
const POD_SPEC: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

const at = (value: unknown, path: readonly string[]): unknown => path.reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Json)[key] : undefined), value);

export function imagesOf(environment: string, files: ReadonlyMap<string, Buffer>): ImageUse[] {
  const uses: ImageUse[] = [];
  for (const [object, { file, object: body }] of objectsOf(files)) {
    const path = POD_SPEC[String(body['kind'])];
    if (!path) continue;
    for (const list of CONTAINER_LISTS) {
      const containers = at(body, [...path, list]);
      if (!Array.isArray(containers)) continue;
      containers.forEach((container: unknown, index) => {
        const value = at(container, ['image']);
        if (value === undefined) return;
        const reference = typeof value === 'string' ? parseImageReference(value) : undefined;
        uses.push({ environment, object, file, field: `${path.join('.')}.${list}[${index}].image`, value: String(value), ...(reference && { reference }) });
      });
    }
  }
  return uses;
}

/** `istio: Deployment/webapp/backend spec.template.spec.containers[0].image` */
export const whereUsed = (use: ImageUse): string => `${use.environment}: ${use.object} ${use.field}`;
