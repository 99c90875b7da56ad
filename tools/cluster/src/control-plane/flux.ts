/**
 * Flux's own controllers beside the local control plane: source-controller and
 * kustomize-controller, built from their Go modules and run out of cluster against the API
 * server, as in a provider's cluster. source-controller serves the artifacts it pulled from
 * `--storage-path` on loopback, and kustomize-controller downloads them from there.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FLUX_NAMESPACE } from '@canaryship/blocks';
import { toolPath } from '@canaryship/toolchain';
import type { Cluster } from '../kube/cluster.js';
import type { ControlPlane } from './start.js';
import { freePort } from '../ports.js';
import { httpOk, waitUntil } from '../processes.js';

/** What Flux reports about one of its objects. */
export interface FluxStatus {
  readonly ready: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  /** OCIRepository: the artifact's revision; Kustomization: the last applied revision (`<tag>@sha256:<digest>`). */
  readonly revision: string | undefined;
  readonly observedGeneration: number | undefined;
  /** The last `reconcile.fluxcd.io/requestedAt` the controller finished handling. */
  readonly lastHandledReconcileAt: string | undefined;
}

export async function startFlux(cp: ControlPlane): Promise<void> {
  const [sourceController, kustomizeController] = await Promise.all([toolPath('source-controller'), toolPath('kustomize-controller')]);
  await cp.kubectl('create', 'namespace', FLUX_NAMESPACE);
  const env = { KUBECONFIG: cp.kubeconfig, RUNTIME_NAMESPACE: FLUX_NAMESPACE };
  const [storage, sourceHealth, sourceMetrics, kustomizeHealth, kustomizeMetrics] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const storagePath = join(cp.workDir, 'flux-storage');
  await mkdir(storagePath, { recursive: true });
  const common = ['--log-level=info', '--log-encoding=json', '--watch-all-namespaces=true', '--enable-leader-election=false', '--events-addr='];
  cp.processes.start(
    'source-controller',
    sourceController,
    [...common, `--storage-path=${storagePath}`, `--storage-addr=127.0.0.1:${storage}`, `--storage-adv-addr=127.0.0.1:${storage}`, `--health-addr=127.0.0.1:${sourceHealth}`, `--metrics-addr=127.0.0.1:${sourceMetrics}`],
    env,
  );
  cp.processes.start('kustomize-controller', kustomizeController, [...common, `--health-addr=127.0.0.1:${kustomizeHealth}`, `--metrics-addr=127.0.0.1:${kustomizeMetrics}`], env);
  for (const port of [sourceHealth, kustomizeHealth]) await waitUntil(`Flux controller health on ${port}`, () => httpOk(`http://127.0.0.1:${port}/readyz`), 60_000, cp.processes);
}

type FluxKind = 'ocirepository' | 'kustomization';

/** The kind as kubectl names it, group included (`kustomization` alone could be another API's). */
const resource = (kind: FluxKind): string => `${kind}.${kind === 'ocirepository' ? 'source' : 'kustomize'}.toolkit.fluxcd.io`;

export async function fluxStatus(cp: Cluster, kind: FluxKind, name: string): Promise<FluxStatus | undefined> {
  const { stdout } = await cp.kubectl('get', resource(kind), name, '-n', FLUX_NAMESPACE, '-o', 'json', '--ignore-not-found');
  if (!stdout.trim()) return undefined;
  const object = JSON.parse(stdout) as {
    status?: { conditions?: { type: string; status: FluxStatus['ready']; reason: string; message: string }[]; artifact?: { revision?: string }; lastAppliedRevision?: string; observedGeneration?: number; lastHandledReconcileAt?: string };
  };
  const ready = object.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    ready: ready?.status ?? 'Unknown',
    reason: ready?.reason ?? '',
    message: ready?.message ?? '',
    revision: kind === 'ocirepository' ? object.status?.artifact?.revision : object.status?.lastAppliedRevision,
    observedGeneration: object.status?.observedGeneration,
    lastHandledReconcileAt: object.status?.lastHandledReconcileAt,
  };
}

/**
 * What `flux reconcile` does: asks the controller to reconcile now rather than at its next
 * interval, and waits until it has finished (it records the request it handled in the status),
 * so the status returned is that reconcile's outcome.
 */
export async function reconcileNow(cp: Cluster, kind: FluxKind, name: string, timeoutMs = 60_000): Promise<FluxStatus> {
  const requested = new Date().toISOString();
  await cp.kubectl('annotate', '--overwrite', resource(kind), name, '-n', FLUX_NAMESPACE, `reconcile.fluxcd.io/requestedAt=${requested}`);
  let last: FluxStatus | undefined;
  await waitUntil(`${kind} ${name} to handle the reconcile requested at ${requested}`, async () => (last = await fluxStatus(cp, kind, name))?.lastHandledReconcileAt === requested, timeoutMs, cp.processes);
  return last!;
}
