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

/** Where a user's request goes: a service (or the entry) and the services it calls, in the order it calls them. */
export interface CallTree {
  readonly name: string;
  readonly calls: readonly CallTree[];
}

/** What an app declares about its path: the entry's upstream, and each service's calls. */
export interface DeclaredPath {
  readonly entry: { readonly upstream: string };
  readonly services: readonly { readonly input: { readonly name: string; readonly config?: { readonly calls?: readonly string[] } } }[];
}

/** The path a user's request takes through an app, from its declaration (a cycle, which composing refuses, is refused here too). */
export function callTreeOf(app: DeclaredPath): CallTree {
  const calls = new Map(app.services.map((s) => [s.input.name, s.input.config?.calls ?? []]));
  const tree = (name: string, via: readonly string[]): CallTree => {
    if (via.includes(name)) throw new Error(`the app's calls go round in a circle: ${[...via, name].join(' → ')}`);
    return { name, calls: (calls.get(name) ?? []).map((next) => tree(next, [...via, name])) };
  };
  return { name: 'entry', calls: [tree(app.entry.upstream, ['entry'])] };
}

/** Who answers a request that takes the whole path once no release is under way: the entry, and every service's primary on it. */
export function primariesOnThePath(tree: CallTree): string[] {
  const names = new Set<string>();
  const walk = (t: CallTree): void => {
    names.add(t.name === 'entry' ? t.name : `${t.name}-primary`);
    t.calls.forEach(walk);
  };
  walk(tree);
  return [...names].sort();
}

/**
 * What a user's answer proves, against the path the app declares. podinfo's echo answers with the
 * request itself where a service calls nobody, and otherwise with a JSON list of the answers of
 * those it calls, in order; the entry passes its upstream's answer on. So the answer holds the user's
 * own echo once from every end of the path exactly when every hop took place. Returns the hops
 * proven (depth first, each once), or why not.
 */
export function provenHops(body: string, id: string, path: CallTree): { ok: true; hops: string[] } | { ok: false; why: string } {
  const marker = userMarker(id);
  const hops: string[] = [];
  const prove = (answer: string, node: CallTree): string | undefined => {
    if (!hops.includes(node.name)) hops.push(node.name);
    if (node.calls.length === 0) return answer.includes(marker) ? undefined : `${node.name} answered ${answer.slice(0, 120)}`;
    let answers: unknown;
    try {
      answers = JSON.parse(answer);
    } catch {
      answers = undefined;
    }
    if (!Array.isArray(answers) || answers.length !== node.calls.length) return `${node.name} answered ${answer.slice(0, 120)}`;
    for (const [i, next] of node.calls.entries()) {
      const why = prove(String(answers[i]), next);
      if (why) return why;
    }
    return undefined;
  };
  // The entry is a proxy: what it answers is its upstream's answer.
  hops.push(path.name);
  for (const next of path.calls) {
    const why = prove(body, next);
    if (why) return { ok: false, why };
  }
  return { ok: true, hops };
}

/** The app's one public address in `namespace`, where users' requests come in. */
export const entryOf = (namespace: string): string => `http://${ENTRY.name}.${namespace}/`;

/** Whether the entry answers its health check from outside the cluster. */
export const entryAnswers = async (dataPlane: DataPlane, namespace: string): Promise<boolean> =>
  (await dataPlane.send({ outside: true }, 'GET', `http://${ENTRY.name}.${namespace}${ENTRY.healthPath}`, {}, '')).status === 200;

export type HopsProof = ReturnType<typeof provenHops> & { readonly servedBy: readonly string[] };

/** One user's request through the entry: what its answer proves, and the workloads that served it (from the data plane's log). */
export async function proveEveryHop(dataPlane: DataPlane, namespace: string, id: string, path: CallTree): Promise<HopsProof> {
  const answer = await dataPlane.send({ outside: true }, 'POST', `${entryOf(namespace)}echo`, { 'x-request-id': id, 'content-type': 'application/json' }, JSON.stringify({ canaryship: userMarker(id) }));
  const servedBy = dataPlane.hops.filter((h) => h.requestId === id && !h.mirrored && h.workload).map((h) => h.workload!).sort();
  return { ...provenHops(answer.body, id, path), servedBy };
}
