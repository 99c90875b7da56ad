/**
 * Real canary runs on the local control plane, per environment, with users' traffic flowing through
 * the entry the whole time. Flagger, the API server, Prometheus, the loadtester and its hey and curl
 * are real; the pods' programs and the network between them are the data plane model (dataplane/),
 * driven by the objects Flagger writes. Releases, in order:
 *
 * 1. promote: a good revision of every service; user traffic shows who reached each canary;
 * 2. rollback: every service's config breaks an SLO (podinfo's random errors or delay);
 * 3. conformance: every canary answers 500 to all but its health checks: stopped before traffic;
 * 4. bad-downstream, in the same release as 3 (both stop before traffic): the caller's config calls
 *    a service that is not there instead of its dependency: stopped by its chain check;
 * 5. broken-dependency: the dependency has failed for everyone for a metric window when a good
 *    caller is released: promoted, because its primary fails the same way;
 * then a user's request through the entry proves every hop. Which services are the caller and its
 * dependency follows from the app's path (roles.ts): for the demo app, backend and database.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { durationSeconds, ENVIRONMENT_PROFILES, FLUX_NAMESPACE, PODINFO, planCanary, serviceUrl, planChart, predictedWindow, strategyOf, type Analysis, type CanaryPlan, type EnvironmentName, type MeasuredRun, type Scenario, type StrategyName, type WeightPoint, type Window } from '@canaryship/blocks';
import { loadDistribution, type Manifest } from '@canaryship/validate';
import { startAppCluster } from './app-cluster.js';
import { FAULT_INJECTION_ANNOTATION, type Hop } from '../dataplane/mesh.js';
import type { ClusterNetwork } from '../dataplane/network.js';
import { canaryRoute, type CanaryRoute } from '../dataplane/routing.js';
import type { Pod } from '../dataplane/state.js';
import { entryAnswers, entryOf, proveEveryHop, startUsers, USER_RATE, USERS, type CallTree, type HopsProof, type UserKind, type UserRequest } from '../dataplane/users.js';
import { awaitCanariesInitialised, NEW_RELEASE, stateOf, watchRelease, type CanaryStatus, type ReleaseWatch } from '../kube/canary-state.js';
import { getJson } from '../kube/kubectl.js';
import { checkEvents, lateness } from '../kube/flagger-log.js';
import { deployedRevision, shortenedFields, writeOverlay, type ServiceRelease } from './overlay.js';
import { faultyConfig, rolesOf } from './roles.js';
import { waitUntil } from '../processes.js';

const NAMESPACE = 'webapp';
/** How long a dependency has been broken when a release starts: one metric window (1m) and a scrape. */
const BROKEN_BEFORE_RELEASE_MS = 65_000;

/** One look at a Canary during a release: what its routes do at that moment, and its failed checks. */
interface Sample {
  readonly at: number;
  readonly route: CanaryRoute;
  readonly failedChecks: number;
}

export interface CanaryResult {
  readonly environment: EnvironmentName;
  readonly service: string;
  readonly strategy: StrategyName;
  readonly scenario: Scenario;
  readonly phase: string;
  readonly seconds: number;
  /** The window `canaryship plan` predicts for this outcome, from the Canary as the overlay leaves it. */
  readonly predicted: Window;
  /** The plan's chart with this release drawn over it (SVG). */
  readonly chart: string;
  /** The primary's revision after the release. */
  readonly primaryRevision: string;
  /** Highest canary weight in the Canary's status (Flagger sets it for progressive canaries only). */
  readonly maxWeight: number;
  /** Whether the routes Flagger wrote ever sent users' requests (or copies) to the canary. */
  readonly routed: boolean;
  /** Load tests started against the canary during this release. */
  readonly loadTests: number;
  /** Highest failed-check count seen (Flagger resets it when the release ends). */
  readonly failedChecks: number;
  /** Of those, the checks that found no values (Flagger's log): a new canary's, before two scrapes have seen its series. */
  readonly noValueChecks: number;
  /** Analysis checks that passed (Flagger's log): each moves a release on a step, and holds a failing one an interval longer. */
  readonly passedChecks: number;
  /** How far Flagger's own ticks slipped behind its interval (its log's timestamps): a loaded machine's share of `seconds`. */
  readonly lateSeconds: number;
  /** When each of its checks ended, in seconds from the release (Flagger's log): what to read when a release falls outside its window. */
  readonly checksAt: readonly number[];
  /** What ended a failed release: its checks before any traffic, or its SLOs (and chain check) during the analysis. */
  readonly stoppedBy?: 'conformance' | 'analysis';
}

/** What users saw of one service during a release: per state of its routes, the share of them a canary answered. */
export interface UserShare {
  readonly environment: EnvironmentName;
  readonly service: string;
  readonly strategy: StrategyName;
  readonly kind: UserKind;
  /** The canary's share of requests no rule matches, in the routes Flagger had written. */
  readonly weight: number;
  /** A rule with matches (A/B header or cookie, session cookie) sent requests to the canary. */
  readonly matchRule: boolean;
  /** The routes copied requests to the canary. */
  readonly mirror: boolean;
  readonly requests: number;
  readonly toCanary: number;
  /** Copies of their requests the canary answered and nobody saw (mirroring). */
  readonly mirrored: number;
}

export interface ManifestResult {
  readonly file: string;
  readonly accepted: boolean;
  /** kubectl's output: what was applied, or why not. */
  readonly output: string;
}

export interface EnvironmentReport {
  readonly environment: EnvironmentName;
  /** `Warning:` lines kubectl printed for the server-side apply. */
  readonly applyWarnings: readonly string[];
  readonly results: readonly CanaryResult[];
  readonly shares: readonly UserShare[];
  /** Users' requests during every release: answered, and how. */
  readonly users: { readonly requests: number; readonly answered: number; readonly failed: readonly string[] };
  /** A user's request after the promotion, and what its answer proves. */
  readonly communication: HopsProof;
  /** Connections the NetworkPolicies dropped, by caller and callee workload. */
  readonly refused: readonly string[];
  /** Requests the data plane model could not handle: bugs of the model, never of the app. */
  readonly modelErrors: readonly string[];
}

export interface RunReport {
  readonly providerManifests: readonly ManifestResult[];
  readonly environments: readonly EnvironmentReport[];
}

interface CanaryList {
  items: { metadata: { name: string }; spec: { analysis: Manifest }; status?: CanaryStatus }[];
}

/** The analysis as the overlay leaves it in `environment`. */
const shortened = (a: Manifest, environment: EnvironmentName): Analysis => ({ ...a, ...shortenedFields(a, ENVIRONMENT_PROFILES[environment].scrapeIntervalSeconds) }) as Analysis;

export async function runCanaries(options: {
  workDir: string;
  distRoot: string;
  environments: readonly EnvironmentName[];
  /** The path users' requests take in each environment, as the app declares it (callTreeOf its definition): what the last request proves. */
  paths: Readonly<Record<EnvironmentName, CallTree>>;
  providerManifests?: readonly string[];
  onProgress?: (m: string) => void;
}): Promise<RunReport> {
  const progress = options.onProgress ?? (() => undefined);
  await mkdir(options.workDir, { recursive: true });
  const app = await startAppCluster({ workDir: options.workDir, namespace: NAMESPACE, environment: options.environments[0] ?? 'kubernetes', onProgress: progress });
  const { cp, dataPlane } = app;
  try {
    const providerManifests: ManifestResult[] = [];
    if (options.providerManifests?.length) {
      await cp.kubectl('create', 'namespace', FLUX_NAMESPACE);
      for (const file of options.providerManifests) {
        progress(`applying the provider's ${file}`);
        const result = await cp.kubectl('apply', '--server-side', '--field-manager=provider', '-f', file).then(
          ({ stdout, stderr }) => ({ accepted: true, output: stdout + stderr }),
          (error: Error) => ({ accepted: false, output: error.message }),
        );
        providerManifests.push({ file, ...result });
      }
    }
    const environments: EnvironmentReport[] = [];
    for (const name of options.environments) environments.push(await runEnvironment(name, app.network));
    return { providerManifests, environments };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\nprocess logs:\n${await cp.processes.report()}`);
  } finally {
    await app.stop();
  }

  async function runEnvironment(env: EnvironmentName, net: ClusterNetwork): Promise<EnvironmentReport> {
    const { kubectl } = cp;
    const dist = join(options.distRoot, env, 'dist');
    const canaries = (await loadDistribution(dist)).objects.filter((o) => o.object['kind'] === 'Canary').map((o) => o.object as { metadata: { name: string }; spec: { analysis: Manifest } });
    const services = canaries.map((c) => c.metadata.name).sort();
    const profile = ENVIRONMENT_PROFILES[env];
    const flagger = await app.startFlagger(env);
    const hopsBefore = dataPlane.hops.length;
    let users: ReturnType<typeof startUsers> | undefined;
    const releases: Record<string, ServiceRelease> = Object.fromEntries(services.map((s) => [s, { revision: 'r0' }]));
    try {
      const apply = async (changed: Readonly<Record<string, ServiceRelease>>): Promise<string[]> => {
        Object.assign(releases, changed);
        const revision = Object.values(changed)[0]?.revision ?? 'r0';
        const dir = await writeOverlay(join(options.workDir, 'overlays', `${env}-${revision}`), dist, canaries, releases, profile.scrapeIntervalSeconds);
        const { stderr } = await kubectl('apply', '--server-side', '--force-conflicts', '--field-manager=canaryship-e2e', '-k', dir);
        return stderr.split('\n').filter((line) => line.startsWith('Warning:'));
      };

      progress(`${env}: server-side apply into a namespace enforcing Pod Security restricted`);
      const applyWarnings = await apply({});
      await awaitCanariesInitialised(cp, NAMESPACE, 240_000, services);
      await waitUntil(`${env}: the entry answering users`, () => entryAnswers(dataPlane, NAMESPACE), 60_000, cp.processes);
      users = startUsers({ dataPlane, entry: entryOf(NAMESPACE), kinds: USERS[env], requestsPerSecond: USER_RATE, idPrefix: env });

      const results: CanaryResult[] = [];
      const shares: UserShare[] = [];
      /** Releases `changed` at once; each service's result is reported under its scenario (`scenario`, or `scenarioOf` where it names one). */
      const release = async (scenario: Scenario, changed: Readonly<Record<string, ServiceRelease>>, scenarioOf: Readonly<Record<string, Scenario>> = {}): Promise<void> => {
        const released = Object.keys(changed).sort();
        progress(`${env}: ${scenario} (${released.map((name) => (scenarioOf[name] ? `${name} ${scenarioOf[name]}` : name)).join(', ')} at ${Object.values(changed)[0]?.revision})`);
        await apply(changed);
        // From the moment the revision is in the API to Flagger's own record of the terminal phase:
        // neither the apply nor this poll's latency is counted (lastTransitionTime has whole seconds).
        const started = Date.now();
        const watches = new Map<string, ReleaseWatch>(released.map((name) => [name, NEW_RELEASE]));
        const maxWeight = new Map<string, number>();
        const samples = new Map<string, Sample[]>();
        await waitUntil(
          `${env}: ${scenario} to finish for ${released.join(', ')}`,
          async () => {
            for (const c of (await getJson<CanaryList>(kubectl, 'canaries', '-n', NAMESPACE)).items) {
              const name = c.metadata.name;
              if (!released.includes(name)) continue;
              const state = stateOf(c.status);
              (samples.get(name) ?? samples.set(name, []).get(name)!).push({ at: Date.now(), route: canaryRoute(app.snapshot(), profile.mesh, name), failedChecks: state.failedChecks });
              maxWeight.set(name, Math.max(maxWeight.get(name) ?? 0, c.status?.canaryWeight ?? 0));
              watches.set(name, watchRelease(watches.get(name)!, state));
            }
            return [...watches.values()].every((w) => w.verdict);
          },
          300_000,
          cp.processes,
        );
        const flaggerLogFile = cp.processes.logOf(flagger);
        if (!flaggerLogFile) throw new Error(`bug: ${flagger} is not running`);
        const flaggerLog = await readFile(flaggerLogFile, 'utf8');
        for (const canary of canaries.filter((c) => released.includes(c.metadata.name))) {
          const name = canary.metadata.name;
          const serviceScenario = scenarioOf[name] ?? scenario;
          const analysis = shortened(canary.spec.analysis, env);
          const plan = planCanary({ ...canary, spec: { ...canary.spec, analysis } });
          const outcome = watches.get(name)!.verdict!;
          const checks = checkEvents(flaggerLog, `${name}.${NAMESPACE}`, new Date(started));
          const loadTests = net.webhooks.filter((w) => w.name === name && w.hook === 'load' && w.at >= started).length;
          // A release that never got load was stopped by its checks before any traffic: it keeps that schedule.
          const stoppedBy = outcome.phase === 'Failed' ? (loadTests === 0 ? 'conformance' : 'analysis') : undefined;
          const seconds = Math.round(((outcome.since ?? Date.now()) - started) / 100) / 10;
          const chart = join(options.workDir, 'charts', `${env}.${name}.${serviceScenario}.svg`);
          await mkdir(join(chart, '..'), { recursive: true });
          await writeFile(chart, planChart(plan, measuredRun(plan, samples.get(name) ?? [], started, { at: seconds, phase: outcome.phase })));
          results.push({
            environment: env,
            service: name,
            strategy: strategyOf(analysis),
            scenario: serviceScenario,
            phase: outcome.phase,
            seconds,
            predicted: predictedWindow(analysis, stoppedBy === 'conformance' ? 'conformance' : serviceScenario),
            chart,
            primaryRevision: await deployedRevision(cp, NAMESPACE, `${name}-primary`),
            maxWeight: maxWeight.get(name) ?? 0,
            routed: (samples.get(name) ?? []).some(({ route }) => route.weight > 0 || route.matchRule || route.mirror),
            loadTests,
            failedChecks: outcome.failedChecks,
            noValueChecks: checks.noValues,
            passedChecks: checks.passed,
            lateSeconds: lateness(checks, durationSeconds(analysis.interval)),
            checksAt: checks.at.map((t) => Math.round((t - started) / 100) / 10),
            ...(stoppedBy && { stoppedBy }),
          });
          if (serviceScenario === 'promote' && users) shares.push(...userShares(env, name, strategyOf(analysis), samples.get(name) ?? [], users.requests, dataPlane.hops.slice(hopsBefore)));
        }
      };

      const all = (release: ServiceRelease): Record<string, ServiceRelease> => Object.fromEntries(services.map((s) => [s, release]));
      await release('promote', all({ revision: 'r1' }));
      const roles = rolesOf(options.paths[env]);
      const { caller, dependency } = roles;
      await release('rollback', Object.fromEntries(services.map((s) => [s, { revision: 'r2', config: faultyConfig(s, roles) }])));
      // Both stop before traffic moves, so they share a release: every service answers its
      // conformance test with errors, but the caller, which calls a service that does not exist
      // in place of its dependency.
      const calls = roles.calls.map((callee) => serviceUrl(callee === dependency ? `${dependency}-archive` : callee, NAMESPACE, PODINFO.echoPath));
      await release('conformance', { ...all({ revision: 'r3', annotations: { [FAULT_INJECTION_ANNOTATION]: 'true' } }), [caller]: { revision: 'r3', config: { 'backend-url': calls } } }, { [caller]: 'bad-downstream' });
      // The dependency fails for everyone, as an operator's fault switch on every pod would make it,
      // and has for a metric window when the caller is released: the primary's calls show it too.
      const failing = app.snapshot().pods.filter((p) => p.workload === dependency || p.workload === `${dependency}-primary`);
      for (const pod of failing) dataPlane.podState(pod.name).faultInjection = true;
      progress(`${env}: ${dependency} failing for everyone; releasing ${caller} in ${BROKEN_BEFORE_RELEASE_MS / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, BROKEN_BEFORE_RELEASE_MS));
      await release('broken-dependency', { [caller]: { revision: 'r5' } });
      for (const pod of failing) dataPlane.podState(pod.name).faultInjection = false;

      users.stop();
      await app.synced();
      const communication = await proveEveryHop(dataPlane, NAMESPACE, `${env}-proof`, options.paths[env]);
      const envHops = dataPlane.hops.slice(hopsBefore);
      const userRequests = users.requests;
      return {
        environment: env,
        applyWarnings,
        results,
        shares,
        users: { requests: userRequests.length, answered: userRequests.filter((r) => r.status === 200).length, failed: userRequests.filter((r) => r.status !== 200).slice(0, 5).map((r) => `${r.id} ${r.kind} ${r.status}: ${r.body.slice(0, 160)}`) },
        communication,
        refused: [...new Set(envHops.filter((h) => h.refused === 'NetworkPolicy').map((h) => `${h.from.replace(/-[0-9a-z]{5,10}(-[0-9a-z]{5})?$/, '')} → ${h.workload ?? h.service}`))].sort(),
        modelErrors: [...new Set(envHops.flatMap((h) => (h.refused?.startsWith('model error') ? [h.refused] : [])))].slice(0, 5),
      };
    } finally {
      users?.stop();
      await cp.processes.stop(flagger);
      progress(`${env}: deleting namespace ${NAMESPACE}`);
      await kubectl('delete', 'namespace', NAMESPACE, '--wait=true', '--timeout=180s').catch(() => undefined);
    }
  }
}

/**
 * What a release did, for its chart: the weight its routes gave the canary over time (for A/B, the
 * matching requests' share, as the plan draws it), when a check failed, and the verdict.
 */
function measuredRun(plan: CanaryPlan, samples: readonly Sample[], started: number, verdict: MeasuredRun['verdict']): MeasuredRun {
  const weights: WeightPoint[] = [];
  const failedChecks: number[] = [];
  let checks = 0;
  for (const sample of samples) {
    const at = Math.max(0, Math.round((sample.at - started) / 100) / 10);
    const weight = plan.exposure.matching && sample.route.matchRule ? 100 : sample.route.weight;
    if (weights.at(-1)?.weight !== weight) weights.push({ at: weights.length === 0 ? 0 : at, weight });
    if (sample.failedChecks > checks) failedChecks.push(at);
    checks = sample.failedChecks;
  }
  return { weights, failedChecks, verdict };
}

/**
 * Per state of one service's routes during its release, the share of each kind of user whose request
 * that service's canary answered (read from the data plane's log by request id), and the copies it
 * got. A request counts under a state only when the looks before and after it agree: Flagger and the
 * routes move a moment apart.
 */
function userShares(env: EnvironmentName, service: string, strategy: StrategyName, samples: readonly Sample[], requests: readonly UserRequest[], hops: readonly Hop[]): UserShare[] {
  const during = (at: number): CanaryRoute | undefined => {
    const index = samples.findIndex((s) => s.at > at);
    const before = index > 0 ? samples[index - 1] : undefined;
    const after = index > 0 ? samples[index] : undefined;
    return before && after && JSON.stringify(before.route) === JSON.stringify(after.route) ? before.route : undefined;
  };
  const groups = new Map<string, UserShare>();
  const hopsById = new Map<string, { canary: boolean; mirrored: boolean }[]>();
  for (const hop of hops) {
    if (!hop.requestId || (hop.workload !== service && hop.workload !== `${service}-primary`)) continue;
    (hopsById.get(hop.requestId) ?? hopsById.set(hop.requestId, []).get(hop.requestId)!).push({ canary: hop.workload === service, mirrored: hop.mirrored });
  }
  for (const request of requests) {
    const route = during(request.at);
    const seen = hopsById.get(request.id);
    if (!route || !seen) continue;
    const key = `${request.kind}/${route.weight}/${route.matchRule}/${route.mirror}`;
    const group = groups.get(key) ?? { environment: env, service, strategy, kind: request.kind, ...route, requests: 0, toCanary: 0, mirrored: 0 };
    groups.set(key, {
      ...group,
      requests: group.requests + 1,
      toCanary: group.toCanary + (seen.some((h) => h.canary && !h.mirrored) ? 1 : 0),
      mirrored: group.mirrored + (seen.some((h) => h.canary && h.mirrored) ? 1 : 0),
    });
  }
  return [...groups.values()].sort((a, b) => a.kind.localeCompare(b.kind) || Number(a.matchRule) - Number(b.matchRule) || Number(a.mirror) - Number(b.mirror) || a.weight - b.weight);
}

/** The table of one run: per canary, strategy, measured time, predicted window. */
export function formatTable(reports: readonly EnvironmentReport[]): string {
  const rows = reports.flatMap((r) => r.results);
  const header = ['environment', 'service', 'strategy', 'scenario', 'phase', 'stopped by', 'measured', 'predicted', 'failed checks (no values)', 'passed checks', "Flagger's ticks late", 'max weight', 'primary'];
  const cells = rows.map((r) => [r.environment, r.service, r.strategy, r.scenario, r.phase, r.stoppedBy ?? '', `${r.seconds}s`, `${r.predicted.low}-${r.predicted.high}s`, `${r.failedChecks} (${r.noValueChecks})`, String(r.passedChecks), `${r.lateSeconds}s`, `${r.maxWeight}%`, r.primaryRevision]);
  return table(header, cells);
}

/** The users' view: per service, kind of user and state of its routes, how many reached the canary. */
export function formatShares(reports: readonly EnvironmentReport[]): string {
  const rows = reports.flatMap((r) => r.shares);
  const header = ['environment', 'service', 'strategy', 'users', 'routes', 'requests', 'to canary', 'copies to canary'];
  const routes = (s: UserShare): string => [`${s.weight}%`, s.matchRule && 'match rule', s.mirror && 'mirror'].filter(Boolean).join(' + ');
  const cells = rows.map((s) => [s.environment, s.service, s.strategy, s.kind, routes(s), String(s.requests), `${s.toCanary} (${Math.round((100 * s.toCanary) / Math.max(1, s.requests))}%)`, String(s.mirrored)]);
  return table(header, cells);
}

function table(header: readonly string[], cells: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => `| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export type { Pod };
