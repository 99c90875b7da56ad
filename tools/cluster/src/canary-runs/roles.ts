/**
 * Which of the app's services play each part of the cluster scenarios, read from the path users'
 * requests take (the app's definition), so the scenarios hold for whatever services a vendor
 * defines, renames or removes. For the demo app: frontend, backend and database.
 */
import type { CallTree } from '../dataplane/users.js';

export interface ScenarioRoles {
  /** The entry's upstream, the service users reach first: the one a provider holds at a manual gate. */
  readonly front: string;
  /**
   * The last service on the path, breadth first, that calls others: its release that calls a
   * service that does not exist is stopped before traffic, and its good release is not blamed for
   * what it calls failing for everyone.
   */
  readonly caller: string;
  /** Whom the caller calls, in order. */
  readonly calls: readonly string[];
  /** What the caller calls last: the dependency that fails for everyone. */
  readonly dependency: string;
}

/** The roles, or undefined for an app in which no service calls another (where only some scenarios can play). */
export function rolesIfAny(tree: CallTree): ScenarioRoles | undefined {
  const front = tree.calls[0]?.name;
  const order: CallTree[] = [];
  for (let queue = [...tree.calls]; queue.length > 0; ) {
    const next = queue.shift()!;
    order.push(next);
    queue = [...queue, ...next.calls];
  }
  const caller = order.filter((t) => t.calls.length > 0).at(-1);
  const dependency = caller?.calls.at(-1)?.name;
  if (front === undefined || caller === undefined || dependency === undefined) return undefined;
  return { front, caller: caller.name, calls: caller.calls.map((t) => t.name), dependency };
}

export function rolesOf(tree: CallTree): ScenarioRoles {
  const roles = rolesIfAny(tree);
  if (!roles) throw new Error('no service of the app calls another: the cluster scenarios need one that does');
  return roles;
}

const DELAY = { 'random-delay': true, 'random-delay-min': 900, 'random-delay-max': 1000, 'random-delay-unit': 'ms' } as const;

/**
 * How a service's bad release breaks, in its podinfo config: the caller and its dependency answer
 * late, every other service answers errors, so both kinds of SLO are proven in every run. podinfo's
 * random errors hit every route, the conformance requests among them, so those releases are
 * stopped by their checks or by the error SLOs, whichever meets the errors first; the delays pass
 * the checks and are rolled back by the response-time SLOs during the analysis.
 */
export const faultyConfig = (service: string, roles: ScenarioRoles | undefined): Readonly<Record<string, unknown>> =>
  service === roles?.caller || service === roles?.dependency ? DELAY : { 'random-error': true };


/** Whether `faultyConfig` delays this service's answers rather than failing them. */
export const isDelayed = (config: Readonly<Record<string, unknown>>): boolean => config['random-delay'] === true;
