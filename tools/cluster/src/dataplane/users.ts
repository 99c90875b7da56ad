/**
 * Users of the app, through the one Service a provider exposes: the entry. Each request is an echo
 * through the whole chain with its own request id (podinfo passes it on to every call), so the data
 * plane's log tells which version of each service answered it. Kinds of users:
 * - `plain`: a new visitor every time, no cookie: the share reaching a canary follows the weights;
 * - `returning`: one visitor who keeps the cookies the app sets (session affinity);
 * - `insider`: sends `x-canary: insider`; `cookie`: sends `canary=always` (the A/B routes).
 */
import type { EnvironmentName } from '@canaryship/blocks';
import { ENTRY } from '@canaryship/entry';
import type { DataPlane } from './mesh.js';

export type UserKind = 'plain' | 'returning' | 'insider' | 'cookie';

/** Who uses the app in each environment: insiders and cookie holders where Istio routes on them, returning users where a cookie keeps them on one version. */
export const USERS: Record<EnvironmentName, readonly UserKind[]> = { kubernetes: ['plain'], istio: ['plain', 'plain', 'insider', 'cookie'], linkerd: ['plain', 'plain', 'returning'] };
/** Requests per second, all kinds together. */
export const USER_RATE = 12;

export interface UserRequest {
  /** When it was sent: when the mesh routed it. */
  readonly at: number;
  readonly id: string;
  readonly kind: UserKind;
  readonly status: number | undefined;
  readonly body: string;
}

export interface Users {
  readonly requests: UserRequest[];
  stop(): void;
}

export interface UserOptions {
  readonly dataPlane: DataPlane;
  /** `http://entry.<namespace>/` */
  readonly entry: string;
  readonly kinds: readonly UserKind[];
  readonly requestsPerSecond: number;
  /** Makes request ids unique across runs that share one data plane log. */
  readonly idPrefix: string;
}

/** The body a user posts: a word that comes back once from every end of the chain. */
export const userMarker = (id: string): string => `canaryship-user-${id}`;

export function startUsers(options: UserOptions): Users {
  const requests: UserRequest[] = [];
  const jar = new Map<string, string>();
  let sequence = 0;
  const one = async (): Promise<void> => {
    const kind = options.kinds[sequence % options.kinds.length]!;
    const id = `${options.idPrefix}-u${(sequence += 1)}`;
    const headers: Record<string, string> = { 'x-request-id': id, 'content-type': 'application/json' };
    if (kind === 'insider') headers['x-canary'] = 'insider';
    if (kind === 'cookie') headers['cookie'] = 'canary=always';
    if (kind === 'returning' && jar.size > 0) headers['cookie'] = [...jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const at = Date.now();
    const answer = await options.dataPlane.send({ outside: true }, 'POST', `${options.entry}echo`, headers, JSON.stringify({ canaryship: userMarker(id) }));
    const cookie = answer.headers['set-cookie'];
    if (kind === 'returning' && cookie) {
      const [pair = ''] = cookie.split(';');
      const [name = '', ...value] = pair.split('=');
      if (name) jar.set(name.trim(), value.join('='));
    }
    requests.push({ at, id, kind, status: answer.status, body: answer.body });
  };
  const timer = setInterval(() => void one(), Math.max(10, 1000 / options.requestsPerSecond));
  return { requests, stop: () => clearInterval(timer) };
}

/**
 * What a user's answer proves: frontend answered with backend's answer, which holds one answer from
 * each of cache and database, each the user's own echo. Returns the hops proven, or why not.
 */
export function provenHops(body: string, id: string): { ok: true; hops: string[] } | { ok: false; why: string } {
  const marker = userMarker(id);
  try {
    const fromFrontend = JSON.parse(body) as unknown;
    if (!Array.isArray(fromFrontend) || fromFrontend.length !== 1) return { ok: false, why: `frontend answered ${body.slice(0, 120)}` };
    const fromBackend = JSON.parse(String(fromFrontend[0])) as unknown;
    if (!Array.isArray(fromBackend) || fromBackend.length !== 2) return { ok: false, why: `backend answered ${String(fromFrontend[0]).slice(0, 120)}` };
    const leaves = fromBackend.map((leaf) => String(leaf));
    if (!leaves.every((leaf) => leaf.includes(marker))) return { ok: false, why: `cache and database answered ${leaves.join(' | ').slice(0, 200)}` };
    return { ok: true, hops: ['entry', 'frontend', 'backend', 'cache', 'database'] };
  } catch {
    return { ok: false, why: `not the chain's answer: ${body.slice(0, 120)}` };
  }
}

/** The app's one public address in `namespace`, where users' requests come in. */
export const entryOf = (namespace: string): string => `http://${ENTRY.name}.${namespace}/`;

/** Whether the entry answers its health check from outside the cluster. */
export const entryAnswers = async (dataPlane: DataPlane, namespace: string): Promise<boolean> =>
  (await dataPlane.send({ outside: true }, 'GET', `http://${ENTRY.name}.${namespace}${ENTRY.healthPath}`, {}, '')).status === 200;

export type HopsProof = ReturnType<typeof provenHops> & { readonly servedBy: readonly string[] };

/** One user's request through the entry: what its answer proves, and the workloads that served it (from the data plane's log). */
export async function proveEveryHop(dataPlane: DataPlane, namespace: string, id: string): Promise<HopsProof> {
  const answer = await dataPlane.send({ outside: true }, 'POST', `${entryOf(namespace)}echo`, { 'x-request-id': id, 'content-type': 'application/json' }, JSON.stringify({ canaryship: userMarker(id) }));
  const servedBy = dataPlane.hops.filter((h) => h.requestId === id && !h.mirrored && h.workload).map((h) => h.workload!).sort();
  return { ...provenHops(answer.body, id), servedBy };
}
