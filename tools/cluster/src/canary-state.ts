/**
 * What Flagger says about one Canary, read from its status, and waiting for it to say something:
 * a phase, or its verdict on a release.
 */
import type { ControlPlane } from './control-plane.js';
import { getJson } from './kubectl.js';
import { waitUntil } from './processes.js';

export interface CanaryState {
  /** Flagger's phase: Initialized, Progressing, WaitingPromotion, Promoting, Finalising, Succeeded, Failed… */
  readonly phase: string;
  /** Failed checks of the release under way (Flagger resets the count when it ends). */
  readonly failedChecks: number;
}

export async function canaryState(cp: ControlPlane, namespace: string, name: string): Promise<CanaryState> {
  const canary = await getJson<{ status?: { phase?: string; failedChecks?: number } }>(cp.kubectl, 'canary', name, '-n', namespace);
  return { phase: canary.status?.phase ?? '', failedChecks: canary.status?.failedChecks ?? 0 };
}

async function awaitCanary(cp: ControlPlane, namespace: string, name: string, what: string, done: (state: CanaryState) => boolean, timeoutMs: number): Promise<CanaryState> {
  let last: CanaryState | undefined;
  await waitUntil(
    `Canary ${namespace}/${name} ${what}`,
    async () => done((last = await canaryState(cp, namespace, name))),
    timeoutMs,
    cp.processes,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last seen: ${JSON.stringify(last)}`);
  });
  return last!;
}

export const awaitCanaryPhase = (cp: ControlPlane, namespace: string, name: string, phase: string, timeoutMs: number): Promise<CanaryState> =>
  awaitCanary(cp, namespace, name, `to reach ${phase}`, (state) => state.phase === phase, timeoutMs);

const TERMINAL = new Set(['Succeeded', 'Failed']);

/**
 * Flagger's verdict on a release that is under way or about to start: the first terminal phase
 * after the Canary was seen working on it. The verdict of the release before is still in the status
 * until Flagger notices the new one (up to an interval), so a terminal phase counts only once a
 * non-terminal one has been seen; every release spends at least an interval in one.
 */
export async function awaitVerdict(cp: ControlPlane, namespace: string, name: string, timeoutMs: number): Promise<CanaryState> {
  let moving = false;
  let failedChecks = 0;
  const verdict = await awaitCanary(cp, namespace, name, 'to finish its release', (state) => {
    if (!TERMINAL.has(state.phase) && state.phase !== 'Initialized' && state.phase !== '') moving = true;
    if (moving) failedChecks = Math.max(failedChecks, state.failedChecks);
    return moving && TERMINAL.has(state.phase);
  }, timeoutMs);
  // Flagger resets the count when a release ends: the verdict carries the highest seen during it.
  return { ...verdict, failedChecks };
}
