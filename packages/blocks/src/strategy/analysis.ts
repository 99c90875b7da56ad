/** Maps a strategy to the fields of a Canary's `spec.analysis` that select it in Flagger. */
import type { CanaryAnalysis, HttpMatchRequest } from '../flagger/api.js';
import type { RouteMatch, Strategy } from './strategies.js';

type StrategyFields = Pick<CanaryAnalysis, 'iterations' | 'stepWeight' | 'maxWeight' | 'stepWeights' | 'mirror' | 'mirrorWeight' | 'match' | 'sessionAffinity'>;

/** A literal inside a regex (RE2, as Envoy runs it): every metacharacter escaped, whatever the schema allows. */
export const regexLiteral = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Istio matches cookies through a regex on the `cookie` header; Flagger passes the match through unchanged.
 * Browsers separate cookies with "; ", so the space is allowed before a cookie that is not first.
 */
const cookieRegex = (name: string, value: string): string => `^(.*?;\\s*)?(${regexLiteral(name)}=${regexLiteral(value)})(;.*)?$`;

export function routeMatch(match: RouteMatch): HttpMatchRequest {
  if (match.on === 'cookie') {
    return { headers: { cookie: { regex: cookieRegex(match.name, match.value) } } };
  }
  const { on: _on, name, ...condition } = match;
  return { headers: { [name.toLowerCase()]: condition } };
}

export function strategyFields(strategy: Strategy): StrategyFields {
  switch (strategy.kind) {
    case 'blue-green':
      return { iterations: strategy.iterations };
    case 'blue-green-mirroring':
      return {
        iterations: strategy.iterations,
        mirror: true,
        ...(strategy.mirrorWeight !== undefined && { mirrorWeight: strategy.mirrorWeight }),
      };
    case 'ab-testing':
      return { iterations: strategy.iterations, match: strategy.match.map(routeMatch) };
    case 'progressive': {
      const affinity = strategy.sessionAffinity && {
        sessionAffinity: { cookieName: strategy.sessionAffinity.cookieName, ...(strategy.sessionAffinity.maxAgeSeconds !== undefined && { maxAge: strategy.sessionAffinity.maxAgeSeconds }) },
      };
      return strategy.stepWeights !== undefined
        ? { stepWeights: strategy.stepWeights, ...affinity }
        : { stepWeight: strategy.stepWeight, maxWeight: strategy.maxWeight, ...affinity };
    }
  }
}
