/**
 * The four delivery strategies, as plain data built by factory functions.
 * Which environment can run which strategy is a type (`StrategyFor<E>`), so composing a distribution
 * with a strategy its provider cannot run does not compile; `strategySchema` enforces the same at run time.
 * https://docs.flagger.app/usage/deployment-strategies
 */
import type { EnvironmentName } from '../environment.js';

/**
 * Route a request to the canary when the named header matches. Works with Istio and Gateway API.
 * Exact or prefix only: the load test must be able to send a matching value.
 */
export interface HeaderMatch {
  readonly on: 'header';
  readonly name: string;
  readonly exact?: string;
  readonly prefix?: string;
}

/** Route a request to the canary when a cookie has a value. Istio only (a regex on the `cookie` header). */
export interface CookieMatch {
  readonly on: 'cookie';
  readonly name: string;
  readonly value: string;
}

export type RouteMatch = HeaderMatch | CookieMatch;

/**
 * Blue/green: run `iterations` checks against the canary while the primary keeps all traffic,
 * then promote. On plain Kubernetes the promotion is the primary's rolling update.
 */
export interface BlueGreen {
  readonly kind: 'blue-green';
  readonly iterations: number;
}

/** Blue/green whose canary also receives a copy of live traffic (responses discarded). Istio, HTTP only. */
export interface BlueGreenMirroring {
  readonly kind: 'blue-green-mirroring';
  readonly iterations: number;
  /** Percent of requests copied to the canary; Istio's default is 100. */
  readonly mirrorWeight?: number;
}

/**
 * Keeps a user on one version across requests during a progressive canary: the mesh sets a cookie
 * on every answer the canary gives, and routes requests carrying it to the canary.
 * https://docs.flagger.app/usage/deployment-strategies#session-affinity
 */
export interface SessionAffinity {
  readonly cookieName: string;
  /** How long the cookie lives, in seconds (Flagger's default: a day). */
  readonly maxAgeSeconds?: number;
}

/** Progressive canary: shift weight in equal steps up to `maxWeight`, or through an explicit list. */
export type Progressive = (
  | { readonly kind: 'progressive'; readonly stepWeight: number; readonly maxWeight: number; readonly stepWeights?: never }
  | { readonly kind: 'progressive'; readonly stepWeights: readonly number[]; readonly stepWeight?: never; readonly maxWeight?: never }
) & { readonly sessionAffinity?: SessionAffinity };

/** A/B testing: requests that match go to the canary for `iterations` checks; others stay on the primary. */
export interface ABTesting<M extends RouteMatch = RouteMatch> {
  readonly kind: 'ab-testing';
  readonly iterations: number;
  /** Each entry is one route to the canary (entries are OR'ed). */
  readonly match: readonly M[];
}

export type Strategy = BlueGreen | BlueGreenMirroring | Progressive | ABTesting;
export type StrategyKind = Strategy['kind'];

/** What each environment's Flagger provider can run (see the provider table in docs/strategies). */
export interface StrategiesByEnvironment {
  /** The kubernetes provider has no traffic router: only blue/green. */
  readonly kubernetes: BlueGreen;
  readonly istio: BlueGreen | BlueGreenMirroring | Progressive | ABTesting<RouteMatch>;
  /** Gateway API routes match headers only and have no percentage mirroring. */
  readonly linkerd: BlueGreen | Progressive | ABTesting<HeaderMatch>;
}

export type StrategyFor<E extends EnvironmentName> = StrategiesByEnvironment[E];

/** A service's strategy for every environment: what a service package exports. */
export type StrategyVariants = { readonly [E in EnvironmentName]: StrategyFor<E> };

export const blueGreen = (options: { iterations: number }): BlueGreen => ({ kind: 'blue-green', ...options });

export const mirrored = (options: { iterations: number; mirrorWeight?: number }): BlueGreenMirroring => ({
  kind: 'blue-green-mirroring',
  ...options,
});

export function progressive(options: { stepWeight: number; maxWeight: number; sessionAffinity?: SessionAffinity }): Progressive;
export function progressive(options: { stepWeights: readonly number[]; sessionAffinity?: SessionAffinity }): Progressive;
export function progressive(
  options: ({ stepWeight: number; maxWeight: number } | { stepWeights: readonly number[] }) & { sessionAffinity?: SessionAffinity },
): Progressive {
  return { kind: 'progressive', ...options } as Progressive;
}

export const abTesting = <M extends RouteMatch>(options: { iterations: number; match: readonly M[] }): ABTesting<M> => ({
  kind: 'ab-testing',
  ...options,
});

export const header = (name: string, condition: { exact: string } | { prefix: string }): HeaderMatch => ({
  on: 'header',
  name,
  ...condition,
});

export const cookie = (name: string, value: string): CookieMatch => ({ on: 'cookie', name, value });

/** Human name used in docs, errors and the matrix tests. */
export const STRATEGY_LABELS: Readonly<Record<StrategyKind, string>> = {
  'blue-green': 'blue/green',
  'blue-green-mirroring': 'blue/green with traffic mirroring',
  progressive: 'progressive canary',
  'ab-testing': 'A/B testing',
};
