/**
 * Real canary runs on the local control plane, per environment, all four services at once:
 * the Canaries initialise; a good revision is promoted; a bad one (its telemetry breaks an SLO) is
 * rolled back with the primary unchanged; one whose conformance test fails is stopped before any
 * traffic moves. Flagger, the API server, Prometheus and the loadtester are real; the workloads'
 * telemetry is synthetic (telemetry.ts), because no container runs here.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ENVIRONMENT_PROFILES, type EnvironmentName } from '@canaryship/blocks';
import { loadDistribution, type Manifest } from '@canaryship/validate';
import { locateBinaries } from './binaries.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { getJson } from './kubectl.js';
import { shortenedFields, writeOverlay } from './overlay.js';
import { freePort } from './ports.js';
import { waitUntil } from './processes.js';
import { startProxy, type ClusterProxy } from './proxy.js';
import { startFlagger, startLoadtester, startPrometheus } from './services.js';
import { startTelemetry, type Behaviour, type Shape } from './telemetry.js';
import { predictedWindow, strategyOf, type Analysis, type Scenario, type StrategyName } from './timeline.js';

const NAMESPACE = 'webapp';
const SHAPES: Record<EnvironmentName, Shape> = { kubernetes: 'podinfo', istio: 'istio', linkerd: 'linkerd' };
/** How each service's bad revision breaks its SLOs: each SLO kind is exercised somewhere. */
const BAD: Record<string, Behaviour> = { frontend: 'errors', backend: 'slow', cache: 'client-errors', database: 'slow' };

export interface CanaryResult {
  readonly environment: EnvironmentName;
  readonly service: string;
  readonly strategy: StrategyName;
  readonly scenario: Scenario;
  readonly phase: string;
  readonly seconds: number;
  readonly predicted: { readonly low: number; readonly high: number };
  /** The primary still runs the last good revision (rollback and conformance scenarios). */
  readonly primaryRevision: string;
  /** Highest canary weight seen; 0 means no traffic moved. */
  readonly maxWeight: number;
  /** Load tests started against the canary during this scenario. */
  readonly loadTests: number;
  /** Highest failed-check count seen (Flagger resets it when the release ends). */
  readonly failedChecks: number;
}

export interface ManifestResult {
  readonly file: string;
  readonly accepted: boolean;
  /** kubectl's output: what was applied, or why not. */
  readonly output: string;
}

export interface RunReport {
  /** Provider-side manifests (examples/flux) applied to the cluster's Flux CRDs. */
  readonly providerManifests: readonly ManifestResult[];
  readonly environments: readonly EnvironmentReport[];
}

export interface EnvironmentReport {
  readonly environment: EnvironmentName;
  /** `Warning:` lines kubectl printed for the server-side apply. */
  readonly applyWarnings: readonly string[];
  readonly results: readonly CanaryResult[];
}

interface CanaryStatus {
  items: { metadata: { name: string }; spec: { analysis: Manifest }; status?: { phase?: string; canaryWeight?: number; failedChecks?: number } }[];
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/** The analysis as the overlay leaves it. */
const shortened = (a: Manifest): Analysis => ({ ...a, ...shortenedFields(a) }) as Analysis;

export async function runCanaries(options: {
  workDir: string;
  distRoot: string;
  environments: readonly EnvironmentName[];
  providerManifests?: readonly string[];
  onProgress?: (m: string) => void;
}): Promise<RunReport> {
  const progress = options.onProgress ?? (() => undefined);
  await mkdir(options.workDir, { recursive: true });
  const binaries = await locateBinaries();
  const cp = await startControlPlane(binaries, join(options.workDir, 'cluster'), progress);
  const telemetry = await startTelemetry();
  let proxy: ClusterProxy | undefined;
  try {
    const prometheus = new URL(await startPrometheus(binaries, cp.processes, options.workDir, telemetry.address));
    const loadtesterPort = await freePort();
    // Each environment's in-cluster Prometheus address (its Flagger install's -metrics-server, and our
    // MetricTemplates' provider.address) reaches the local Prometheus through the proxy.
    const addresses = new Map(Object.values(ENVIRONMENT_PROFILES).map((p) => [new URL(p.prometheusAddress).host, Number(prometheus.port)]));
    proxy = await startProxy({ loadtesterPort, prometheus: addresses });
    await startLoadtester(binaries, cp.processes, { port: loadtesterPort, telemetry: telemetry.address, proxy: proxy.url });
    const providerManifests: ManifestResult[] = [];
    if (options.providerManifests?.length) {
      await cp.kubectl('create', 'namespace', 'flux-system');
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
    for (const environment of options.environments) {
      environments.push(await runEnvironment(environment, proxy));
    }
    return { providerManifests, environments };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\nprocess logs:\n${await cp.processes.report()}`);
  } finally {
    await proxy?.close();
    await telemetry.close();
    await cp.stop();
  }

  async function runEnvironment(environment: EnvironmentName, http: ClusterProxy): Promise<EnvironmentReport> {
    const { kubectl } = cp;
    const dist = join(options.distRoot, environment, 'dist');
    const canaries = (await loadDistribution(dist)).objects.filter((o) => o.object['kind'] === 'Canary').map((o) => o.object as { metadata: { name: string }; spec: { analysis: Manifest } });
    const services = canaries.map((c) => c.metadata.name).sort();
    telemetry.reset();
    telemetry.setShape(SHAPES[environment]);
    progress(`${environment}: starting Flagger (provider ${ENVIRONMENT_PROFILES[environment].provider})`);
    const profile = ENVIRONMENT_PROFILES[environment];
    const flagger = startFlagger(binaries, cp.processes, { kubeconfig: cp.kubeconfig, provider: profile.provider, prometheus: profile.prometheusAddress, namespace: NAMESPACE, proxy: http.url });
    const pods = setInterval(() => void syncPods(cp).catch(() => undefined), 1000);
    try {
      const apply = async (revision: string): Promise<string[]> => {
        const dir = await writeOverlay(join(options.workDir, 'overlays', `${environment}-${revision}`), dist, canaries, revision);
        const { stderr } = await kubectl('apply', '--server-side', '--force-conflicts', '--field-manager=canaryship-e2e', '-k', dir);
        return stderr.split('\n').filter((line) => line.startsWith('Warning:'));
      };

      progress(`${environment}: server-side apply into a namespace enforcing Pod Security restricted`);
      const applyWarnings = await apply('r0');
      await waitUntil(
        `${environment}: all Canaries Initialized`,
        async () => (await getJson<CanaryStatus>(kubectl, 'canaries', '-n', NAMESPACE)).items.filter((c) => c.status?.phase === 'Initialized').length === services.length,
        240_000,
        cp.processes,
      );

      const results: CanaryResult[] = [];
      const release = async (scenario: Scenario, revision: string, behaviours: (service: string) => Behaviour, broken: readonly string[]): Promise<void> => {
        for (const service of services) telemetry.setBehaviour(NAMESPACE, service, behaviours(service));
        http.setBroken(NAMESPACE, broken);
        progress(`${environment}: ${scenario} (revision ${revision})`);
        const started = Date.now();
        await apply(revision);
        const seenMoving = new Set<string>();
        const done = new Map<string, { phase: string; at: number }>();
        const maxWeight = new Map<string, number>();
        const maxFailed = new Map<string, number>();
        await waitUntil(
          `${environment}: ${scenario} to finish for ${services.join(', ')}`,
          async () => {
            for (const c of (await getJson<CanaryStatus>(kubectl, 'canaries', '-n', NAMESPACE)).items) {
              const phase = c.status?.phase ?? '';
              maxWeight.set(c.metadata.name, Math.max(maxWeight.get(c.metadata.name) ?? 0, c.status?.canaryWeight ?? 0));
              maxFailed.set(c.metadata.name, Math.max(maxFailed.get(c.metadata.name) ?? 0, c.status?.failedChecks ?? 0));
              if (!TERMINAL.has(phase) && phase !== 'Initialized') seenMoving.add(c.metadata.name);
              if (seenMoving.has(c.metadata.name) && TERMINAL.has(phase) && !done.has(c.metadata.name)) {
                done.set(c.metadata.name, { phase, at: Date.now() });
              }
            }
            return done.size === services.length;
          },
          300_000,
          cp.processes,
        );
        for (const canary of canaries) {
          const name = canary.metadata.name;
          const analysis = shortened(canary.spec.analysis);
          const outcome = done.get(name)!;
          const primary = await getJson<Manifest>(kubectl, 'deployment', `${name}-primary`, '-n', NAMESPACE);
          results.push({
            environment,
            service: name,
            strategy: strategyOf(analysis),
            scenario,
            phase: outcome.phase,
            seconds: Math.round((outcome.at - started) / 100) / 10,
            predicted: predictedWindow(analysis, scenario),
            primaryRevision: String(primary['spec']?.template?.metadata?.annotations?.['canaryship.dev/revision'] ?? ''),
            maxWeight: maxWeight.get(name) ?? 0,
            loadTests: telemetry.loads.filter((l) => l.service === name && l.at >= started).length,
            failedChecks: maxFailed.get(name) ?? 0,
          });
        }
      };

      await release('promote', 'r1', () => 'good', []);
      await release('rollback', 'r2', (service) => BAD[service] ?? 'errors', []);
      await release('conformance', 'r3', () => 'good', services);
      return { environment, applyWarnings, results };
    } finally {
      clearInterval(pods);
      await cp.processes.stop(flagger);
      progress(`${environment}: deleting namespace ${NAMESPACE}`);
      await kubectl('delete', 'namespace', NAMESPACE, '--wait=true', '--timeout=180s').catch(() => undefined);
    }
  }

  async function syncPods(plane: ControlPlane): Promise<void> {
    const list = await getJson<{ items: { metadata: { name: string; labels?: Record<string, string> }; status?: { phase?: string } }[] }>(plane.kubectl, 'pods', '-n', NAMESPACE);
    const byApp: Record<string, string[]> = {};
    for (const pod of list.items) {
      const app = pod.metadata.labels?.['app'];
      if (app && pod.status?.phase === 'Running') (byApp[app] ??= []).push(pod.metadata.name);
    }
    telemetry.setPods(NAMESPACE, byApp);
  }
}

/** The table of one run: per canary, strategy, measured time, predicted window. */
export function formatTable(reports: readonly EnvironmentReport[]): string {
  const rows = reports.flatMap((r) => r.results);
  const header = ['environment', 'service', 'strategy', 'scenario', 'phase', 'measured', 'predicted', 'failed checks', 'max weight', 'primary'];
  const cells = rows.map((r) => [r.environment, r.service, r.strategy, r.scenario, r.phase, `${r.seconds}s`, `${r.predicted.low}-${r.predicted.high}s`, String(r.failedChecks), `${r.maxWeight}%`, r.primaryRevision]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => `| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
