/**
 * What Flagger says about one Canary, read from its status, and waiting for it to say something:
 * a phase, or its verdict on a release.
 */
import type { Cluster } from './cluster.js';
import { getJson } from './kubectl.js';
import { waitUntil } from '../processes.js';

export interface CanaryState {
  /** Flagger's phase: Initialized, Progressing, WaitingPromotion, Promoting, Finalising, Succeeded, Failed… */
  readonly phase: string;
  /** Failed checks of the release under way (Flagger resets the count when it ends). */
  readonly failedChecks: number;
  /** When Flagger last changed the phase, in ms (Flagger writes whole seconds). */
  readonly since: number | undefined;
}

/** A Canary's status as the API serves it. */
export interface CanaryStatus {
  readonly phase?: string;
  readonly failedChecks?: number;
  readonly canaryWeight?: number;
  readonly lastTransitionTime?: string;
}

export const stateOf = (status: CanaryStatus | undefined): CanaryState => ({
  phase: status?.phase ?? '',
  failedChecks: status?.failedChecks ?? 0,
  since: Date.parse(status?.lastTransitionTime ?? '') || undefined,
});

export async function canaryState(cp: Cluster, namespace: string, name: string): Promise<CanaryState> {
  return stateOf((await getJson<{ status?: CanaryStatus }>(cp.kubectl, 'canary', name, '-n', namespace)).status);
}

async function awaitCanary(cp: Cluster, namespace: string, name: string, what: string, done: (state: CanaryState) => boolean, timeoutMs: number): Promise<CanaryState> {
  let last: CanaryState | undefined;
  await waitUntil(`Canary ${namespace}/${name} ${what}`, async () => done((last = await canaryState(cp, namespace, name))), timeoutMs, cp.processes, () => JSON.stringify(last));
  return last!;
}

export const awaitCanaryPhase = (cp: Cluster, namespace: string, name: string, phase: string, timeoutMs: number): Promise<CanaryState> =>
  awaitCanary(cp, namespace, name, `to reach ${phase}`, (state) => state.phase === phase, timeoutMs);

/**
 * Waits until Flagger has initialised every Canary in `namespace`, `expected` ones (all of them
 * present) or, without a list, whichever exist once there is at least one; returns their names.
 */
export async function awaitCanariesInitialised(cp: Cluster, namespace: string, timeoutMs: number, expected?: readonly string[]): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let names: string[] = [];
  await waitUntil(
    `Canaries in ${namespace}`,
    async () => {
      names = (await getJson<{ items: { metadata: { name: string } }[] }>(cp.kubectl, 'canaries', '-n', namespace)).items.map((c) => c.metadata.name).sort();
      return expected ? expected.every((name) => names.includes(name)) : names.length > 0;
    },
    timeoutMs,
    cp.processes,
    () => (names.length > 0 ? names.join(', ') : 'none'),
  );
  for (const name of names) await awaitCanaryPhase(cp, namespace, name, 'Initialized', Math.max(deadline - Date.now(), 0));
  return names;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/** Flagger's verdict on a release: its terminal phase, and the highest failed-check count during it. */
export interface Verdict extends CanaryState {
  readonly phase: 'Succeeded' | 'Failed';
}

/** What has been seen of one release so far. */
export interface ReleaseWatch {
  readonly moving: boolean;
  readonly failedChecks: number;
  readonly verdict?: Verdict;
}

export const NEW_RELEASE: ReleaseWatch = { moving: false, failedChecks: 0 };

/**
 * One more status of a release that is under way or about to start. Its verdict is the first
 * terminal phase after the Canary was seen working on it: the verdict of the release before is
 * still in the status until Flagger notices the new one (up to an interval), so a terminal phase
 * counts only once a non-terminal one has been seen; every release spends at least an interval in one.
 * Flagger resets failedChecks when a release ends: the verdict carries the highest seen during it.
 */
export function watchRelease(watch: ReleaseWatch, state: CanaryState): ReleaseWatch {
  if (watch.verdict) return watch;
  const moving = watch.moving || (!TERMINAL.has(state.phase) && state.phase !== 'Initialized' && state.phase !== '');
  if (!moving) return watch;
  const failedChecks = Math.max(watch.failedChecks, state.failedChecks);
  return { moving, failedChecks, ...(TERMINAL.has(state.phase) && { verdict: { ...state, phase: state.phase as Verdict['phase'], failedChecks } }) };
}

/** Flagger's verdict on a release of `name` that is under way or about to start. */
export async function awaitVerdict(cp: Cluster, namespace: string, name: string, timeoutMs: number): Promise<Verdict> {
  let watch = NEW_RELEASE;
  await awaitCanary(cp, namespace, name, 'to finish its release', (state) => (watch = watchRelease(watch, state)).verdict !== undefined, timeoutMs);
  return watch.verdict!;
}
