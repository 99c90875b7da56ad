/**
 * Composes an environment's distribution: validates every service input and strategy against the
 * environment, then places each object at its file. Pure: objects in, objects out; any issue throws
 * a DistributionError listing all of them, so nothing partial can be written.
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { ENVIRONMENT_PROFILES, type EnvironmentName, type EnvironmentProfile } from '../environment.js';
import { DistributionError, type Issue } from '../errors.js';
import { buildCanary } from '../flagger/canary.js';
import { nameCollisions } from '../flagger/generated.js';
import type { ServiceSpec } from '../service/input.js';
import { parseServiceInput } from '../service/parse.js';
import { metricTemplates } from '../slo/metrics.js';
import { analysisRuns, checkStrategy } from '../strategy/schema.js';
import type { Strategy } from '../strategy/strategies.js';
import { APP_LABELS, APP_NAME } from '../workload/labels.js';
import { networkPolicies } from '../workload/network-policies.js';
import { serviceObjects } from '../workload/service-objects.js';
import type { DistributionDefinition } from './define.js';
import { FILE_BY_KIND, type KubernetesObject, type PlacedObject } from './objects.js';

export interface ComposedDistribution {
  readonly environment: EnvironmentName;
  readonly namespace: string;
  /** Objects in file order: namespace and its NetworkPolicy, SLO templates, entry, test runner, then services by name. */
  readonly objects: readonly PlacedObject[];
}

interface ValidRelease {
  readonly spec: ServiceSpec;
  readonly strategy: Strategy;
}

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

function validateRelease(environment: EnvironmentName, input: unknown, strategy: unknown, index: number): ValidRelease | Issue[] {
  const parsed = parseServiceInput(input, { environment, fallbackName: `services.${index}` });
  const service = parsed.ok ? parsed.spec.name : (parsed.issues[0]?.service ?? `services.${index}`);
  const issues: Issue[] = parsed.ok ? [] : [...parsed.issues];
  const checked = checkStrategy(environment, strategy);
  if (!checked.ok) {
    for (const issue of checked.issues) issues.push({ ...issue, environment, service });
  }
  if (!parsed.ok || !checked.ok) return issues;

  const runs = analysisRuns(checked.strategy);
  if (parsed.spec.analysis.threshold > runs) {
    return [
      {
        code: 'analysis.threshold-unreachable',
        environment,
        service,
        path: 'analysis.threshold',
        message: `analysis.threshold (${parsed.spec.analysis.threshold}) exceeds the ${runs} checks this ${checked.strategy.kind} strategy runs: failing metrics could never roll back a release`,
      },
    ];
  }
  return { spec: parsed.spec, strategy: checked.strategy };
}

function namespaceObject(profile: EnvironmentProfile, name: string): Namespace {
  const podSecurity: Record<string, string> =
    profile.podSecurity === 'enforce'
      ? { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' }
      : {};
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        ...APP_LABELS,
        ...podSecurity,
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        ...profile.namespaceLabels,
      },
      ...(Object.keys(profile.namespaceAnnotations).length > 0 && { annotations: { ...profile.namespaceAnnotations } }),
    },
  };
}

const place = (folder: string, object: KubernetesObject, file = FILE_BY_KIND[object.kind ?? '']): PlacedObject => {
  if (file === undefined) throw new Error(`bug: no file name for kind ${object.kind}`);
  return { path: folder ? `${folder}/${file}` : file, object };
};

export function composeDistribution(definition: DistributionDefinition): ComposedDistribution {
  const { environment, namespace = APP_NAME } = definition;
  const profile = ENVIRONMENT_PROFILES[environment];
  const issues: Issue[] = [];
  if (!profile) throw new DistributionError([{ code: 'environment.unknown', environment: String(environment), path: 'environment', message: `unknown environment; expected one of ${Object.keys(ENVIRONMENT_PROFILES).join(', ')}` }]);
  if (!DNS_LABEL.test(namespace)) {
    issues.push({ code: 'namespace.invalid', environment, path: 'namespace', message: `"${namespace}" is not a DNS label` });
  }

  const releases: ValidRelease[] = [];
  definition.services.forEach((release, index) => {
    const result = validateRelease(environment, release.input, release.strategy, index);
    if (Array.isArray(result)) issues.push(...result);
    else releases.push(result);
  });

  const names = releases.map((r) => r.spec.name);
  // Judged against every input's name, parsed or not: a broken input is reported once, by its own issue.
  const given = definition.services.map((r) => (r.input as { name?: unknown } | null)?.name);
  if (!given.includes(definition.entry.upstream)) {
    issues.push({ code: 'entry.unknown-upstream', environment, path: 'entry.upstream', message: `"${definition.entry.upstream}" is not a service of this distribution (${[...names].sort().join(', ')})` });
  }
  const cycle = callCycle(releases.map((r) => r.spec));
  if (cycle) issues.push({ code: 'service.call-cycle', environment, service: cycle[0], path: 'config.calls', message: `calls go round in a circle (${cycle.join(' → ')}): an echo through them would never end` });
  else {
    for (const { spec } of releases) {
      const answers = chainAnswers(spec.name, releases.map((r) => r.spec));
      if (answers > MAX_CHAIN_ANSWERS) issues.push({ code: 'service.call-fanout', environment, service: spec.name, path: 'config.calls', message: `one request to ${spec.name} would fan out into ${answers} calls at the end of its chain; at most ${MAX_CHAIN_ANSWERS}` });
    }
  }
  for (const { spec } of releases) {
    if (names.indexOf(spec.name) !== names.lastIndexOf(spec.name)) {
      issues.push({ code: 'service.duplicate', environment, service: spec.name, path: 'name', message: 'two services share this name' });
    }
    spec.config.calls.forEach((callee, i) => {
      // Like the entry's upstream: a call to a service whose input is broken is that input's issue, reported once.
      if (!given.includes(callee)) {
        const declared = given.filter((name): name is string => typeof name === 'string');
        issues.push({
          code: 'service.unknown-call',
          environment,
          service: spec.name,
          path: `config.calls.${i}`,
          message: `"${callee}" is not a service of this distribution (${[...declared].sort().join(', ')})`,
        });
      }
    });
  }
  if (issues.length > 0) throw new DistributionError(issues);

  const { testRunner, entry } = definition;
  const runner = testRunner.runner(namespace);
  const services = [...releases].sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1));
  const specs = services.map((s) => s.spec);
  const policies = networkPolicies({
    namespace,
    profile,
    services: specs.map((spec) => ({ name: spec.name, calls: spec.config.calls })),
    entry,
    runner: { folder: testRunner.name, workload: testRunner.workload, port: testRunner.port },
  });
  const policyOf = (folder: string) => policies.filter((p) => p.folder === folder).map((p) => place(folder, p.policy));
  const objects: PlacedObject[] = [
    place('', namespaceObject(profile, namespace)),
    ...policyOf(''),
    ...metricTemplates(profile, namespace, APP_LABELS, specs).map(
      (template) => place('slo', template, `${template.metadata.name}.yaml`),
    ),
    ...entry.objects(namespace, profile).map((object) => place(entry.name, object)),
    ...policyOf(entry.name),
    ...testRunner.objects(namespace).map((object) => place(testRunner.name, object)),
    ...policyOf(testRunner.name),
    ...services.flatMap(({ spec, strategy }) => {
      const base = serviceObjects(spec, namespace);
      const canary = buildCanary(spec, strategy, profile, namespace, runner, chainAnswers(spec.name, specs));
      return [...[base.configMap, base.deployment, base.autoscaler, base.disruptionBudget, canary].map((object) => place(spec.name, object)), ...policyOf(spec.name)];
    }),
  ];
  const collisions = placementIssues(environment, objects);
  if (collisions.length > 0) throw new DistributionError(collisions);
  return { environment, namespace, objects };
}

/** How many answers an echo through `name` brings back: one per path to the end of its calls (calls form no circle). */
export function chainAnswers(name: string, specs: readonly ServiceSpec[], memo: Map<string, number> = new Map()): number {
  const known = memo.get(name);
  if (known !== undefined) return known;
  const calls = specs.find((s) => s.name === name)?.config.calls ?? [];
  const answers = calls.length === 0 ? 1 : calls.reduce((sum, callee) => sum + chainAnswers(callee, specs, memo), 0);
  memo.set(name, answers);
  return answers;
}

/** A circle in the calls between services, as the names along it, or undefined (depth-first, each service once). */
function callCycle(specs: readonly ServiceSpec[]): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'open');
    for (const callee of specs.find((s) => s.name === name)?.config.calls ?? []) {
      const found = visit(callee, [...path, name]);
      if (found) return found;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const spec of specs) {
    const found = visit(spec.name, []);
    if (found) return found;
  }
  return undefined;
}

/** One echo through a service may fan out to at most this many calls at the end of its chain. */
export const MAX_CHAIN_ANSWERS = 100;

/** Who placed an object: the service of its folder, or the distribution itself. */
const ownerOf = (path: string): string | undefined => (path.includes('/') ? path.split('/')[0] : undefined);

/**
 * Two objects at one file, or one name claimed twice (by two objects, or by an object and what
 * Flagger creates for a Canary): the later would overwrite the earlier, on disk or in the cluster.
 */
function placementIssues(environment: EnvironmentName, objects: readonly PlacedObject[]): Issue[] {
  const issues: Issue[] = [];
  const byPath = new Map<string, PlacedObject[]>();
  for (const placed of objects) byPath.set(placed.path, [...(byPath.get(placed.path) ?? []), placed]);
  // An object written twice to one file also claims its name twice: said once, as the file.
  const reported = new Set<string>();
  for (const [path, placed] of byPath) {
    if (placed.length < 2) continue;
    const service = ownerOf(path);
    const named = [...new Set(placed.map((p) => `${p.object.kind}/${p.object.metadata?.name}`))];
    for (const name of named) reported.add(name);
    issues.push({
      code: 'distribution.path-collision',
      environment,
      ...(service !== undefined && { service }),
      path: 'name',
      message: `${named.join(' and ')} would be written to ${path} more than once: rename the service`,
    });
  }
  for (const collision of nameCollisions(objects.map((o) => o.object))) {
    if (reported.has(`${collision.object.kind}/${collision.object.name}`)) continue;
    const canary = collision.claimedBy.find((by) => by.startsWith('Flagger, for Canary/'))?.split('/')[1];
    const placed = objects.filter((o) => o.object.kind === collision.object.kind && o.object.metadata?.name === collision.object.name).at(-1);
    const service = canary ?? (placed && ownerOf(placed.path));
    issues.push({
      code: 'flagger.name-collision',
      environment,
      ...(service !== undefined && { service }),
      path: 'name',
      message: `${collision.object.kind}/${collision.object.name} is claimed twice (${collision.claimedBy.join('; ')}): rename the service`,
    });
  }
  return issues;
}
