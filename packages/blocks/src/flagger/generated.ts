/**
 * The objects Flagger 1.44 creates for a Canary, by kind and name (read from its source:
 * pkg/apis/flagger/v1beta1 GetServiceNames, pkg/canary deployment_controller, hpa_reconciler and
 * config_tracker, pkg/router): a shipped object, or another service's, with one of these names
 * would be overwritten or fought over. Works on plain manifests, so composition and validation of
 * rendered YAML ask the same question.
 */

/** The loose shape of a manifest this needs; parsed YAML and built objects alike. */
interface Manifest {
  readonly kind?: unknown;
  readonly metadata?: { readonly name?: unknown };
  readonly spec?: unknown;
}

export interface ObjectName {
  readonly kind: string;
  readonly name: string;
}

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** ConfigMaps and Secrets a pod template references: Flagger copies each as `<name>-primary`. */
function referencedConfig(template: Loose | undefined): ObjectName[] {
  const spec = (template?.['spec'] ?? {}) as Loose;
  const found: ObjectName[] = [];
  for (const volume of (spec['volumes'] ?? []) as Loose[]) {
    if (volume['configMap']?.name) found.push({ kind: 'ConfigMap', name: String(volume['configMap'].name) });
    if (volume['secret']?.secretName) found.push({ kind: 'Secret', name: String(volume['secret'].secretName) });
    for (const source of (volume['projected']?.sources ?? []) as Loose[]) {
      if (source['configMap']?.name) found.push({ kind: 'ConfigMap', name: String(source['configMap'].name) });
      if (source['secret']?.name) found.push({ kind: 'Secret', name: String(source['secret'].name) });
    }
  }
  for (const container of [...((spec['containers'] ?? []) as Loose[]), ...((spec['initContainers'] ?? []) as Loose[])]) {
    for (const env of (container['env'] ?? []) as Loose[]) {
      if (env['valueFrom']?.configMapKeyRef?.name) found.push({ kind: 'ConfigMap', name: String(env['valueFrom'].configMapKeyRef.name) });
      if (env['valueFrom']?.secretKeyRef?.name) found.push({ kind: 'Secret', name: String(env['valueFrom'].secretKeyRef.name) });
    }
    for (const from of (container['envFrom'] ?? []) as Loose[]) {
      if (from['configMapRef']?.name) found.push({ kind: 'ConfigMap', name: String(from['configMapRef'].name) });
      if (from['secretRef']?.name) found.push({ kind: 'Secret', name: String(from['secretRef'].name) });
    }
  }
  return found;
}

/** What Flagger creates for `canary`, whose target Deployment is `target` (when known). */
export function flaggerGeneratedObjects(canary: Manifest, target?: Manifest): ObjectName[] {
  const spec = (canary.spec ?? {}) as Loose;
  const targetName = String(spec['targetRef']?.name ?? '');
  const apex = String(spec['service']?.name ?? targetName);
  const provider = String(spec['provider'] ?? 'kubernetes');
  const objects: ObjectName[] = [
    { kind: 'Deployment', name: `${targetName}-primary` },
    { kind: 'Service', name: apex },
    { kind: 'Service', name: `${apex}-primary` },
    { kind: 'Service', name: `${apex}-canary` },
  ];
  if (spec['autoscalerRef']?.name) objects.push({ kind: String(spec['autoscalerRef'].kind ?? 'HorizontalPodAutoscaler'), name: `${spec['autoscalerRef'].name}-primary` });
  for (const config of referencedConfig((target?.spec as Loose | undefined)?.['template'])) objects.push({ kind: config.kind, name: `${config.name}-primary` });
  if (provider === 'istio') objects.push({ kind: 'VirtualService', name: apex }, { kind: 'DestinationRule', name: `${apex}-primary` }, { kind: 'DestinationRule', name: `${apex}-canary` });
  if (provider.startsWith('gatewayapi')) objects.push({ kind: 'HTTPRoute', name: apex });
  return objects;
}

export interface NameCollision {
  readonly object: ObjectName;
  /** Who claims the name: `shipped` (an object of the distribution) or `Canary/<name>`. */
  readonly claimedBy: readonly string[];
}

/** Names claimed twice among the shipped objects and what Flagger will create for every Canary. */
export function nameCollisions(objects: readonly Manifest[]): NameCollision[] {
  const claims = new Map<string, { object: ObjectName; claimedBy: string[] }>();
  const claim = (object: ObjectName, by: string): void => {
    const key = `${object.kind}/${object.name}`;
    const entry = claims.get(key) ?? { object, claimedBy: [] };
    entry.claimedBy.push(by);
    claims.set(key, entry);
  };
  for (const o of objects) claim({ kind: String(o.kind), name: String(o.metadata?.name) }, `shipped ${String(o.kind)}/${String(o.metadata?.name)}`);
  for (const canary of objects.filter((o) => o.kind === 'Canary')) {
    const ref = ((canary.spec ?? {}) as Loose)['targetRef'] as Loose | undefined;
    const target = objects.find((o) => o.kind === ref?.['kind'] && o.metadata?.name === ref?.['name']);
    for (const generated of flaggerGeneratedObjects(canary, target)) claim(generated, `Flagger, for Canary/${String(canary.metadata?.name)}`);
  }
  return [...claims.values()].filter((c) => c.claimedBy.length > 1);
}
