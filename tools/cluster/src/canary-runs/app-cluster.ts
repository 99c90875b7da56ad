/**
 * The stage every cluster scenario plays on: the local control plane, the data plane model that
 * runs the app's pods and carries its traffic (driven by the objects in the app's namespace),
 * Prometheus scraping the model's telemetry, the real loadtester, and real Flagger once an
 * environment is chosen. The canary runs and the Flux scenario both start here.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { ENVIRONMENT_PROFILES, PODINFO, prometheusNamespace, type EnvironmentName, type EnvironmentProfile } from '@canaryship/blocks';
import { LOADTESTER } from '@canaryship/loadtester';
import { locateBinaries } from '../control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../control-plane/start.js';
import { apiClient } from '../dataplane/api.js';
import { createDataPlane, type DataPlane } from '../dataplane/mesh.js';
import { startNetwork, type ClusterNetwork } from '../dataplane/network.js';
import { admits } from '../dataplane/network-policy.js';
import { emptySnapshot, readSnapshot, type Snapshot } from '../dataplane/state.js';
import { createTelemetry } from '../dataplane/telemetry.js';
import { freePort } from '../ports.js';
import { startFlagger, startLoadtester, startPrometheus } from '../control-plane/services.js';

export interface AppCluster {
  readonly cp: ControlPlane;
  readonly dataPlane: DataPlane;
  readonly network: ClusterNetwork;
  /** `http://127.0.0.1:<port>` of the real loadtester (its `/gate/*` endpoints). */
  readonly loadtester: string;
  /** The app's namespace as last read (every half second). */
  snapshot(): Snapshot;
  /**
   * Resolves once the data plane has read the cluster as it is now: a route Flagger wrote before
   * the call carries the next request. The meshes' proxies lag their control plane the same way.
   */
  synced(): Promise<void>;
  /** Makes `environment` the one the data plane, Prometheus and the network model, and starts its Flagger; returns Flagger's process name. */
  startFlagger(environment: EnvironmentName): Promise<string>;
  stop(): Promise<void>;
}

/** Where an environment's Prometheus scrapes the pods: the mesh proxy's port where there is a mesh, podinfo's own metrics port where not. */
const scrapePort = (profile: EnvironmentProfile): number => profile.meshPorts.scrape[0] ?? PODINFO.metricsPort;

export async function startAppCluster(options: { workDir: string; namespace: string; environment: EnvironmentName; onProgress?: (m: string) => void }): Promise<AppCluster> {
  const progress = options.onProgress ?? (() => undefined);
  const binaries = await locateBinaries();
  const cp = await startControlPlane(binaries, join(options.workDir, 'cluster'), progress);
  const api = await apiClient(cp.kubeconfig);
  let environment = options.environment;
  let snapshot: Snapshot = emptySnapshot(options.namespace);
  // One read at a time, every half second: a slow answer never lands after a newer one.
  let polling = true;
  let pollTimer: NodeJS.Timeout | undefined;
  // Who waits for a read that begins after they asked (`synced()`).
  let waiting: (() => void)[] = [];
  const poll = (): void => {
    const served = waiting;
    waiting = [];
    void readSnapshot(api, options.namespace)
      .then(
        (s) => {
          snapshot = s;
          for (const resolve of served) resolve();
        },
        (error: unknown) => {
          waiting.unshift(...served);
          progress(`reading the cluster failed, keeping the last view: ${String(error)}`);
        },
      )
      .finally(() => {
        if (polling) pollTimer = setTimeout(poll, 500);
      });
  };
  poll();
  // What Prometheus finds when it scrapes: the current environment's series, from pods that still
  // exist and whose NetworkPolicies let it in.
  const profile = (): EnvironmentProfile => ENVIRONMENT_PROFILES[environment];
  const telemetry = createTelemetry(
    (pod, family) =>
      family === (profile().mesh === 'none' ? 'podinfo' : profile().mesh) &&
      snapshot.pods.some((p) => p.name === pod.name) &&
      admits(snapshot, { namespace: prometheusNamespace(profile()) }, pod, scrapePort(profile())),
  );
  const dataPlane = createDataPlane({ mesh: () => profile().mesh, snapshot: () => snapshot, telemetry });
  const metrics = await serveMetrics(() => telemetry.render());
  let network: ClusterNetwork | undefined;
  const stop = async (): Promise<void> => {
    polling = false;
    clearTimeout(pollTimer);
    await network?.close();
    await metrics.close();
    await cp.stop();
  };
  try {
    // Scraping as often as the environment's own Prometheus does, so what a real cluster's scrapes
    // leave out of the first checks (a new canary's series before its second scrape) is left out here.
    const localPrometheus = await startPrometheus(binaries, cp.processes, options.workDir, metrics.address, profile().scrapeIntervalSeconds);
    const prometheus = new URL(localPrometheus.url);
    const loadtesterPort = await freePort();
    // Each environment's in-cluster Prometheus address (its Flagger's -metrics-server, and our
    // MetricTemplates' provider.address) reaches the local Prometheus through the network proxies.
    const addresses = new Map(Object.values(ENVIRONMENT_PROFILES).map((p) => [new URL(p.prometheusAddress).host, Number(prometheus.port)]));
    const net = await startNetwork({ dataPlane, snapshot: () => snapshot, prometheus: addresses, loadtesterPort, flaggerNamespace: () => profile().flaggerNamespace, loadtesterWorkload: LOADTESTER.name });
    network = net;
    await startLoadtester(binaries, cp.processes, { port: loadtesterPort, proxy: net.loadtesterProxy });
    return {
      cp,
      dataPlane,
      network: net,
      loadtester: `http://127.0.0.1:${loadtesterPort}`,
      snapshot: () => snapshot,
      synced: () => new Promise((resolve) => waiting.push(resolve)),
      async startFlagger(env) {
        environment = env;
        const p = profile();
        await localPrometheus.setScrapeInterval(p.scrapeIntervalSeconds);
        progress(`${env}: starting Flagger (provider ${p.provider})`);
        return startFlagger(binaries, cp.processes, { kubeconfig: cp.kubeconfig, provider: p.provider, prometheus: p.prometheusAddress, namespace: options.namespace, proxy: net.flaggerProxy });
      },
      stop,
    };
  } catch (error) {
    const logs = await cp.processes.report();
    await stop();
    throw new Error(`${(error as Error).message}\n\nprocess logs:\n${logs}`);
  }
}

async function serveMetrics(render: () => string): Promise<{ address: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(render());
    else res.writeHead(404).end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
