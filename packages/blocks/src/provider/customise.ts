/**
 * What a provider may change without forking: each customisation becomes kustomize patches for the
 * `patches` of its Flux Kustomization, written against the distribution it will patch, so every
 * path and name is one that exists. Index-based JSON patches begin with a `test` of what they
 * expect at that index: if a later release moves a metric or a webhook, the patch fails loudly
 * instead of changing the wrong entry (and `contract` reports it before release).
 */
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import { composeDistribution, type ComposedDistribution } from '../distribution/compose.js';
import type { DistributionDefinition } from '../distribution/define.js';
import type { KubernetesObject } from '../distribution/objects.js';
import { toYaml } from '../distribution/serialize.js';
import type { Duration } from '../duration.js';
import { ENVIRONMENT_PROFILES, prometheusNamespace, type EnvironmentName } from '../environment.js';
import { DistributionError } from '../errors.js';
import { FLAGGER_API_VERSION, type Canary, type WebhookType } from '../flagger/api.js';
import { sloOfCheck, thresholdProblem } from '../slo/metrics.js';
import { regexLiteral } from '../strategy/analysis.js';
import { APP_LABELS } from '../workload/labels.js';
import { FLUX_NAMESPACE, type FluxPatch } from './flux.js';

export interface Quantities {
  readonly cpu?: string;
  readonly memory?: string;
}

export type Customisation =
  /** Requests and limits of a service's container. */
  | { readonly kind: 'resources'; readonly service: string; readonly requests?: Quantities; readonly limits?: Quantities }
  /** Its HorizontalPodAutoscaler (Flagger copies it to the primary). */
  | { readonly kind: 'autoscaling'; readonly service: string; readonly minReplicas: number; readonly maxReplicas: number; readonly cpuUtilization: number }
  /** The bound of one SLO check of its Canary. */
  | { readonly kind: 'slo-threshold'; readonly service: string; readonly metric: string; readonly min?: number; readonly max?: number }
  /** How its analysis runs: the fields its strategy has. */
  | {
      readonly kind: 'analysis';
      readonly service: string;
      readonly interval?: Duration;
      readonly threshold?: number;
      readonly iterations?: number;
      readonly stepWeight?: number;
      readonly maxWeight?: number;
    }
  /** Promotion waits until someone opens the loadtester's gate (`/gate/open`). */
  | { readonly kind: 'manual-approval'; readonly service: string }
  /** Flagger posts each release's events to Slack or Microsoft Teams; the address is in the provider's Secret (key `address`). */
  | { readonly kind: 'notifications'; readonly type: 'slack' | 'msteams'; readonly secretName: string; readonly services: readonly string[] }
  /** Run the app in another namespace: every object, and every address and config that names it. */
  | { readonly kind: 'namespace'; readonly namespace: string };

export interface CustomisationPatches {
  readonly patches: readonly FluxPatch[];
  /** Where every object moves (Flux's `targetNamespace`, kustomize's `namespace`): the namespace customisation. */
  readonly targetNamespace?: string;
  /** Objects the provider adds beside the bundle (an AlertProvider); none for most customisations. */
  readonly objects: readonly KubernetesObject[];
}

type JsonPatchOperation = { readonly op: 'test' | 'replace' | 'add' | 'remove'; readonly path: string; readonly value?: unknown };

const pointer = (segments: readonly (string | number)[]): string => segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

const jsonPatch = (kind: string, name: string, operations: readonly JsonPatchOperation[]): FluxPatch => ({ target: { kind, name }, patch: toYaml(operations) });

const ALERT_PROVIDER_NAME = 'release-notifications';

/**
 * Patches for `customisation` of a distribution, given by its definition or as composed objects
 * (a published version read back), or a DistributionError naming what does not exist.
 */
export function customisationPatches(source: DistributionDefinition | ComposedDistribution, customisation: Customisation): CustomisationPatches {
  const distribution = 'objects' in source ? source : composeDistribution(source);
  const fail = (path: string, message: string, service?: string): never => {
    throw new DistributionError([{ code: 'customise.invalid', environment: distribution.environment, ...(service && { service }), path, message }]);
  };
  const objectOf = <T>(kind: string, service: string): T => {
    const found = distribution.objects.find((o) => o.object.kind === kind && o.object.metadata?.name === service);
    if (!found) return fail('service', `no ${kind} named "${service}" in the ${distribution.environment} distribution (${serviceNames(distribution).join(', ')})`, service);
    return found.object as T;
  };

  switch (customisation.kind) {
    case 'resources': {
      const { service, requests, limits } = customisation;
      const deployment = objectOf<{ spec: { template: { spec: { containers: { name: string }[] } } } }>('Deployment', service);
      const container = deployment.spec.template.spec.containers[0]?.name ?? fail('service', 'its Deployment has no container', service);
      const patch = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: service }, spec: { template: { spec: { containers: [{ name: container, resources: { ...(requests && { requests }), ...(limits && { limits }) } }] } } } };
      return { patches: [{ target: { kind: 'Deployment', name: service }, patch: toYaml(patch) }], objects: [] };
    }
    case 'autoscaling': {
      const { service, minReplicas, maxReplicas, cpuUtilization } = customisation;
      objectOf<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', service);
      if (!(Number.isInteger(minReplicas) && minReplicas >= 1 && maxReplicas >= minReplicas)) fail('minReplicas', `needs 1 ≤ minReplicas ≤ maxReplicas, got ${minReplicas}..${maxReplicas}`, service);
      const metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpuUtilization } } }];
      return {
        patches: [jsonPatch('HorizontalPodAutoscaler', service, [
          { op: 'replace', path: '/spec/minReplicas', value: minReplicas },
          { op: 'replace', path: '/spec/maxReplicas', value: maxReplicas },
          { op: 'replace', path: '/spec/metrics', value: metrics },
        ])],
        objects: [],
      };
    }
    case 'slo-threshold': {
      const { service, metric, min, max } = customisation;
      const canary = objectOf<Canary>('Canary', service);
      const index = canary.spec.analysis.metrics.findIndex((m) => m.name === metric);
      if (index < 0) fail('metric', `${service}'s Canary checks ${canary.spec.analysis.metrics.map((m) => m.name).join(', ')}; not "${metric}"`, service);
      if (min === undefined && max === undefined) fail('metric', 'give min, max or both', service);
      const slo = sloOfCheck(metric);
      const problem = slo && thresholdProblem(slo, { min, max });
      if (problem) fail(max !== undefined ? 'max' : 'min', problem, service);
      const at = ['spec', 'analysis', 'metrics', index];
      return {
        patches: [jsonPatch('Canary', service, [
          { op: 'test', path: pointer([...at, 'name']), value: metric },
          { op: 'replace', path: pointer([...at, 'thresholdRange']), value: { ...(min !== undefined && { min }), ...(max !== undefined && { max }) } },
        ])],
        objects: [],
      };
    }
    case 'analysis': {
      const { service, kind: _kind, ...fields } = customisation;
      const canary = objectOf<Canary>('Canary', service);
      const operations: JsonPatchOperation[] = [];
      for (const [field, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        if (!(field in canary.spec.analysis)) {
          fail(`analysis.${field}`, `${service}'s strategy has no ${field} (its analysis sets ${Object.keys(canary.spec.analysis).filter((k) => k !== 'metrics' && k !== 'webhooks').join(', ')})`, service);
        }
        operations.push({ op: 'replace', path: pointer(['spec', 'analysis', field]), value });
      }
      if (operations.length === 0) fail('analysis', 'change at least one field', service);
      return { patches: [jsonPatch('Canary', service, operations)], objects: [] };
    }
    case 'manual-approval': {
      const { service } = customisation;
      const canary = objectOf<Canary>('Canary', service);
      const base = canary.spec.analysis.webhooks.find((w) => w.type === 'pre-rollout')?.url ?? fail('service', `${service}'s Canary calls no loadtester`, service);
      const gate = { name: 'manual-approval', type: 'confirm-promotion' satisfies WebhookType, url: `${base.replace(/\/*$/, '/')}gate/check` };
      return { patches: [jsonPatch('Canary', service, [{ op: 'add', path: '/spec/analysis/webhooks/-', value: gate }])], objects: [] };
    }
    case 'notifications': {
      const { type, secretName, services } = customisation;
      if (services.length === 0) fail('services', 'name at least one service whose releases are reported');
      const provider = {
        apiVersion: FLAGGER_API_VERSION,
        kind: 'AlertProvider',
        metadata: { name: ALERT_PROVIDER_NAME, namespace: distribution.namespace, labels: { ...APP_LABELS } },
        spec: { type, secretRef: { name: secretName } },
      };
      const alert = { name: 'release', severity: 'info', providerRef: { name: ALERT_PROVIDER_NAME, namespace: distribution.namespace } };
      return {
        patches: services.map((service) => {
          objectOf<Canary>('Canary', service);
          return jsonPatch('Canary', service, [{ op: 'add', path: '/spec/analysis/alerts', value: [alert] }]);
        }),
        objects: [provider],
      };
    }
    case 'namespace': {
      const { namespace } = customisation;
      if (!NAMESPACE_NAME.test(namespace) || namespace.length > 63) fail('namespace', `"${namespace.slice(0, 80)}" is not a namespace name (lower-case letters, digits and '-', at most 63)`);
      if (namespace === distribution.namespace) fail('namespace', `the app is in "${namespace}" already`);
      // The move renames the app's Namespace object: in a namespace others use, the app's Kustomization
      // would own it (its NetworkPolicies deny their traffic, and removing the app prunes it).
      if (sharedNamespaces(distribution.environment).includes(namespace)) fail('namespace', `"${namespace}" belongs to the cluster, Flux, Flagger or the mesh; move the app to a namespace of its own`);
      return { patches: addressesIn(distribution, namespace), objects: [], targetNamespace: namespace };
    }
  }
}

const serviceNames = (distribution: ComposedDistribution): string[] =>
  distribution.objects.filter((o) => o.object.kind === 'Canary').map((o) => o.object.metadata?.name ?? '');

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Namespaces the app must not take over: Kubernetes', Flux's, and the environment's Flagger and mesh ones. */
const sharedNamespaces = (environment: EnvironmentName): string[] => {
  const { flaggerNamespace, meshNamespaces } = ENVIRONMENT_PROFILES[environment];
  const profile = ENVIRONMENT_PROFILES[environment];
  return ['default', 'kube-system', 'kube-public', 'kube-node-lease', FLUX_NAMESPACE, flaggerNamespace, prometheusNamespace(profile), ...meshNamespaces];
};

/**
 * Where an object names the namespace `from` inside its strings, each with the string moved to
 * `to`: addresses (`backend.webapp:9898`, `svc.webapp.svc.cluster.local`) in webhook URLs and
 * commands, services' configs and the entry's upstream, and fields that name a namespace by
 * themselves (a gateway reference's `namespace`). Its own metadata is not searched: that is the
 * namespace transformer's, which moves the object (and the app's name stays in its labels).
 */
export function namespaceMentions(object: KubernetesObject, from: string, to: string): { readonly path: string; readonly value: string; readonly moved: string }[] {
  if (from === '') return [];
  // The namespace as a DNS label of an address: after a dot, before the end, a dot, a port or a path.
  const label = new RegExp(`(?<=\\.)${regexLiteral(from)}(?=$|[.:/'"\\s])`, 'g');
  const mentions = (value: unknown, at: readonly (string | number)[]): { path: string; value: string; moved: string }[] => {
    if (typeof value === 'string') {
      const moved = at.at(-1) === 'namespace' && value === from ? to : value.replace(label, to);
      return moved === value ? [] : [{ path: pointer(at), value, moved }];
    }
    if (Array.isArray(value)) return value.flatMap((item, i) => mentions(item, [...at, i]));
    if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => (at.length === 0 && key === 'metadata' ? [] : mentions(item, [...at, key])));
    return [];
  };
  return mentions(object, []);
}

/**
 * kustomize's namespace transformer (Flux's `targetNamespace`) moves every object and renames the
 * Namespace, whatever a release adds; what it cannot see is the namespace inside strings. Each such
 * string is replaced after a `test` that it still is what this release ships: a release that
 * changes it makes the patch fail loudly (and `contract` says so) instead of putting the old
 * string back.
 */
function addressesIn(distribution: ComposedDistribution, to: string): FluxPatch[] {
  return distribution.objects.flatMap(({ object }) => {
    const found = namespaceMentions(object, distribution.namespace, to).flatMap(({ path, value, moved }): JsonPatchOperation[] => [
      { op: 'test', path, value },
      { op: 'replace', path, value: moved },
    ]);
    if (found.length === 0) return [];
    // Ends with a test of the kind: kustomize trims the patch's text, so a multi-line string at its
    // very end (a replaced config) would lose its final line break.
    return [jsonPatch(object.kind ?? '', object.metadata?.name ?? '', [...found, { op: 'test', path: '/kind', value: object.kind }])];
  });
}

/**
 * Every customisation a provider may have written against `distribution`, one per service and
 * field: what `contract` re-applies to a new release to find the ones it would break. Values are
 * the distribution's own (a patch that sets what is already there still has to find its target).
 */
export function customisationSurface(distribution: ComposedDistribution): { readonly summary: string; readonly customisation: Customisation }[] {
  const has = (kind: string, name: string) => distribution.objects.some((o) => o.object.kind === kind && o.object.metadata?.name === name);
  const move: Customisation = { kind: 'namespace', namespace: distribution.namespace === MOVED_TO ? `${MOVED_TO}-2` : MOVED_TO };
  const perService = distribution.objects
    .filter((o) => o.object.kind === 'Canary')
    .flatMap(({ object }) => {
      const canary = object as Canary;
      const service = canary.metadata.name ?? '';
      const { interval, threshold } = canary.spec.analysis;
      return [
        ...(has('Deployment', service) ? [{ summary: `set ${service}'s resources`, customisation: { kind: 'resources', service, limits: { memory: '512Mi' } } as const }] : []),
        ...(has('HorizontalPodAutoscaler', service) ? [{ summary: `scale ${service}`, customisation: { kind: 'autoscaling', service, minReplicas: 2, maxReplicas: 4, cpuUtilization: 80 } as const }] : []),
        ...canary.spec.analysis.metrics.map((m) => ({ summary: `bound ${service}'s ${m.name}`, customisation: { kind: 'slo-threshold', service, metric: m.name, ...m.thresholdRange } as const })),
        { summary: `tune ${service}'s analysis`, customisation: { kind: 'analysis', service, interval: interval as Duration, threshold } as const },
        { summary: `approve ${service}'s promotions by hand`, customisation: { kind: 'manual-approval', service } as const },
      ];
    });
  // A distribution read back without its Namespace object names no namespace to move from.
  return distribution.namespace === '' ? perService : [...perService, { summary: 'move the app to another namespace', customisation: move }];
}

/** The namespace `contract` moves a release to, to see that a provider's move still moves everything. */
const MOVED_TO = 'elsewhere';
