/**
 * What a provider relies on in a published distribution, and the changes that break it: an
 * object removed or renamed (their patches and tooling lose their target, Flux prunes it), a
 * container or port renamed (patches by container name, routes by port name), a selector changed
 * (a Deployment's is immutable: Flux's apply fails until the object is recreated). Pure: objects
 * in, findings out. Customisations that no longer apply are found by kustomize (customisations.ts).
 */
import { isDeepStrictEqual } from 'node:util';

export type BreakingKind = 'object-removed' | 'container-renamed' | 'port-renamed' | 'selector-changed' | 'customisation-broken';

export interface BreakingChange {
  readonly kind: BreakingKind;
  /** `Kind/namespace/name` in the published version. */
  readonly object: string;
  readonly detail: string;
  /** Which providers notice, and how. */
  readonly affects: string;
}

// Parsed YAML, read loosely; every access below is guarded.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = Record<string, any>;
export type ObjectsById = ReadonlyMap<string, Manifest>;

const names = (items: unknown): string[] => (Array.isArray(items) ? items.map((i: Manifest) => i?.['name']).filter((n): n is string => typeof n === 'string') : []);

const podSpec = (o: Manifest): Manifest | undefined => o['spec']?.['template']?.['spec'];

/** Where each kind keeps what selects or targets other objects. */
const SELECTORS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  Deployment: [['spec', 'selector']],
  Service: [['spec', 'selector']],
  PodDisruptionBudget: [['spec', 'selector']],
  HorizontalPodAutoscaler: [['spec', 'scaleTargetRef']],
  Canary: [['spec', 'targetRef'], ['spec', 'autoscalerRef']],
};

const at = (o: Manifest, path: readonly string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Manifest)[k] : undefined), o);

export function structuralBreaks(published: ObjectsById, current: ObjectsById): BreakingChange[] {
  const breaks: BreakingChange[] = [];
  for (const [id, before] of published) {
    const after = current.get(id);
    if (!after) {
      breaks.push({ kind: 'object-removed', object: id, detail: 'removed or renamed', affects: `providers whose patches or tooling target ${id}; Flux prunes it on upgrade` });
      continue;
    }
    const [beforePod, afterPod] = [podSpec(before), podSpec(after)];
    if (beforePod && afterPod) {
      const containers = names(afterPod['containers']);
      for (const name of names(beforePod['containers']).filter((n) => !containers.includes(n))) {
        breaks.push({ kind: 'container-renamed', object: id, detail: `container ${name} is gone (now ${containers.join(', ') || 'none'})`, affects: `providers patching container ${name} (resources, env, probes)` });
      }
      const ports = (spec: Manifest) => (Array.isArray(spec['containers']) ? spec['containers'].flatMap((c: Manifest) => names(c?.['ports'])) : []);
      const kept = ports(afterPod);
      for (const port of ports(beforePod).filter((p) => !kept.includes(p))) {
        breaks.push({ kind: 'port-renamed', object: id, detail: `container port ${port} is gone`, affects: `providers whose Services, probes or policies name port ${port}` });
      }
    }
    if (before['kind'] === 'Service') {
      const kept = names(after['spec']?.['ports']);
      for (const port of names(before['spec']?.['ports']).filter((p) => !kept.includes(p))) {
        breaks.push({ kind: 'port-renamed', object: id, detail: `service port ${port} is gone`, affects: `providers routing to ${id} by port name ${port}` });
      }
    }
    for (const path of SELECTORS[String(before['kind'])] ?? []) {
      const [was, now] = [at(before, path), at(after, path)];
      if (!isDeepStrictEqual(was, now)) {
        breaks.push({
          kind: 'selector-changed',
          object: id,
          detail: `${path.join('.')} changed from ${JSON.stringify(was)} to ${JSON.stringify(now)}`,
          affects: before['kind'] === 'Deployment' ? 'every provider: a Deployment selector is immutable, so Flux cannot apply the release until the Deployment is deleted' : `providers whose objects select or are selected through ${id}`,
        });
      }
    }
  }
  return breaks;
}
