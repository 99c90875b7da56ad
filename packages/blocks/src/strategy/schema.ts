/**
 * Run-time check of a strategy against its environment: the same rules as `StrategyFor<E>`, for
 * inputs that bypass the type checker (plain JavaScript, `as` casts, JSON), plus value ranges.
 */
import { z } from 'zod';
import type { EnvironmentName } from '../environment.js';
import { fieldProblems } from '../zod-issues.js';
import { STRATEGY_LABELS, type Strategy, type StrategyKind } from './strategies.js';

const iterations = z.number().int().min(1).max(100);
const weight = z.number().int().min(1).max(100);

/** Values go into the load test's command line, so they are kept to shell-safe characters. */
const headerValue = z.string().regex(/^[A-Za-z0-9_.=\/-]+$/, 'letters, digits and _ . = / -');

const headerMatch = z
  .strictObject({
    on: z.literal('header'),
    name: z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name'),
    exact: headerValue.optional(),
    prefix: headerValue.optional(),
  })
  .refine((m) => (m.exact === undefined) !== (m.prefix === undefined), 'exactly one of exact, prefix');

const cookieMatch = z.strictObject({
  on: z.literal('cookie'),
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a cookie name'),
  value: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a cookie value of letters, digits and _ . -'),
});

const sessionAffinity = z
  .strictObject({
    cookieName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a cookie name of letters, digits, _ and -'),
    maxAgeSeconds: z.number().int().min(1).max(31_536_000).optional(),
  })
  .optional();

const blueGreen = z.strictObject({ kind: z.literal('blue-green'), iterations });
const mirroring = z.strictObject({ kind: z.literal('blue-green-mirroring'), iterations, mirrorWeight: weight.optional() });
const progressive = z.union([
  z
    .strictObject({ kind: z.literal('progressive'), stepWeight: weight, maxWeight: weight, sessionAffinity })
    .refine((s) => s.stepWeight <= s.maxWeight, {
      message: 'stepWeight must not exceed maxWeight',
      path: ['stepWeight'],
    }),
  z.strictObject({
    kind: z.literal('progressive'),
    sessionAffinity,
    stepWeights: z
      .array(weight)
      .min(1)
      .refine((ws) => ws.every((w, i) => i === 0 || w > (ws[i - 1] ?? 0)), 'strictly increasing weights'),
  }),
]);
const abTesting = (match: z.ZodType) => z.strictObject({ kind: z.literal('ab-testing'), iterations, match: z.array(match).min(1) });

const SCHEMAS: { readonly [E in EnvironmentName]: Partial<Record<StrategyKind, z.ZodType>> } = {
  kubernetes: { 'blue-green': blueGreen },
  istio: {
    'blue-green': blueGreen,
    'blue-green-mirroring': mirroring,
    progressive,
    'ab-testing': abTesting(z.union([headerMatch, cookieMatch])),
  },
  linkerd: { 'blue-green': blueGreen, progressive, 'ab-testing': abTesting(headerMatch) },
};

export const supportedStrategies = (environment: EnvironmentName): StrategyKind[] =>
  Object.keys(SCHEMAS[environment]) as StrategyKind[];

export type StrategyCheck =
  | { readonly ok: true; readonly strategy: Strategy }
  | { readonly ok: false; readonly issues: readonly { path: string; message: string; code: string }[] };

export function checkStrategy(environment: EnvironmentName, value: unknown): StrategyCheck {
  const kind = (value as { kind?: unknown } | null)?.kind;
  const schema = typeof kind === 'string' ? SCHEMAS[environment][kind as StrategyKind] : undefined;
  if (!schema) {
    const supported = supportedStrategies(environment).map((k) => `${k} (${STRATEGY_LABELS[k]})`);
    return {
      ok: false,
      issues: [
        {
          path: 'strategy.kind',
          code: 'strategy.unsupported',
          message: `${JSON.stringify(kind)} cannot run on the ${environment} environment; it supports ${supported.join(', ')}`,
        },
      ],
    };
  }
  const cookieAt = cookieMatches(value);
  if (environment !== 'istio' && cookieAt.length > 0) {
    return {
      ok: false,
      issues: cookieAt.map((index) => ({
        path: `strategy.match.${index}`,
        code: 'strategy.unsupported',
        message: `cookie matches need Istio; the ${environment} environment routes on headers only`,
      })),
    };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, strategy: parsed.data as Strategy };
  return {
    ok: false,
    issues: fieldProblems(parsed.error, ['strategy']).map((problem) => ({ ...problem, code: 'strategy.invalid' })),
  };
}

const cookieMatches = (value: unknown): number[] => {
  const match = (value as { match?: unknown }).match;
  return Array.isArray(match) ? match.flatMap((m, index) => ((m as { on?: unknown })?.on === 'cookie' ? [index] : [])) : [];
};

/** How many metric checks a release runs when every check passes (Flagger's timeline). */
export function analysisRuns(strategy: Strategy): number {
  switch (strategy.kind) {
    case 'blue-green':
    case 'blue-green-mirroring':
      return strategy.iterations + 1;
    case 'ab-testing':
      return strategy.iterations;
    case 'progressive':
      return strategy.stepWeights !== undefined
        ? strategy.stepWeights.length
        : Math.ceil(strategy.maxWeight / strategy.stepWeight);
  }
}
