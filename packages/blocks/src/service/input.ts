/**
 * The small, typed input a service team writes. Parsed by zod (unknown keys rejected), then checked by
 * named cross-field rules. Defaults are applied here, once.
 */
import { z } from 'zod';
import { PODINFO_VERSION } from '../images.js';
import { DURATION_PATTERN, durationSeconds } from '../duration.js';
import { CPU_PATTERN, MEMORY_PATTERN, cpuMillicores, memoryBytes } from './quantity.js';

/** Kubernetes resource quantities: CPU `100m`, `1` or `1.5`; memory `64Mi` or `1Gi`. */
export interface ResourceList {
  cpu: string;
  memory: string;
}

/** A request the blocking conformance test makes against the canary before any traffic moves; it must answer 2xx. */
export interface ConformanceCheck {
  /** Shown in Flagger's events when the check fails. Quoted for the shell like every argument. */
  name: string;
  method?: 'GET' | 'POST' | undefined;
  /** Path on the canary, e.g. `/readyz`. */
  path: string;
  /** Request body for POST, sent as JSON exactly as written (curl --data-raw, quoted for the shell). */
  body?: string | undefined;
}

/**
 * What a service team writes (fields with a default may be left out). Spelt out rather than inferred
 * from the schema, so the published declarations need no type inference (isolatedDeclarations) and
 * service teams read plain fields; a type test holds it equal to the schema's input.
 */
export interface ServiceInput {
  /** RFC 1035 label of at most 40 characters, not ending in -primary or -canary (Flagger's names). */
  name: string;
  /** One line on the service's role, written into its objects' annotations. */
  description: string;
  /** podinfo release this service runs; defaults to the one pinned for the whole app. */
  podinfoVersion?: string | undefined;
  /** podinfo configuration for this service's role, written to its ConfigMap. */
  config: {
    message: string;
    color: string;
    logLevel?: 'debug' | 'info' | 'warn' | 'error' | undefined;
    /** Services this one calls (podinfo `backend-url`); each must be in the same distribution. */
    calls?: string[] | undefined;
  };
  resources: { requests: ResourceList; limits: ResourceList };
  autoscaling: { minReplicas: number; maxReplicas: number; targetCpuUtilizationPercent: number };
  analysis: {
    /** Time between Flagger checks, `30s` or `1m`: at least 10s, at most 1h. */
    interval: string;
    /** Failed checks, cumulative, before Flagger rolls back. */
    threshold: number;
    /** Seconds the canary Deployment may take to become ready before Flagger rolls back (default 600). */
    progressDeadlineSeconds?: number | undefined;
  };
  slo: {
    /** Minimum share of non-5xx responses, in percent (builtin request-success-rate). */
    availabilityPercent: number;
    /** Maximum share of 4xx and 5xx responses, in percent: catches a release that starts rejecting requests. */
    errorRatePercent: number;
    /** Maximum mean response time, in milliseconds. */
    averageResponseTimeMs: number;
    /** Maximum 99th percentile response time, in milliseconds (builtin request-duration). */
    p99ResponseTimeMs: number;
  };
  /** Traffic the load test sends to the canary during analysis, so the SLO queries have data. */
  load?: { requestsPerSecond: number; concurrency: number } | undefined;
  /** Requests the blocking conformance test makes against the canary before any traffic moves. */
  conformance: ConformanceCheck[];
}

/** The input after parsing: defaults applied, every rule checked. */
export interface ServiceSpec extends Omit<ServiceInput, 'podinfoVersion' | 'config' | 'analysis' | 'load' | 'conformance'> {
  podinfoVersion: string;
  config: Required<ServiceInput['config']>;
  analysis: Required<ServiceInput['analysis']>;
  load: NonNullable<ServiceInput['load']>;
  conformance: (ConformanceCheck & { method: 'GET' | 'POST' })[];
}

/**
 * RFC 1035 label, short enough that Flagger's `-primary` / `-canary` names and pod suffixes stay
 * valid, and not one of the names Flagger generates for another service.
 */
const serviceName = z
  .string()
  .max(40, 'at most 40 characters: Flagger appends -primary and -canary')
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'a lowercase DNS label (a-z, 0-9, -), starting with a letter')
  .refine((name) => !/-(primary|canary)$/.test(name), 'must not end in -primary or -canary: Flagger generates those names for every service');

/** Bounds no real service approaches; beyond them Kubernetes or the scheduler would refuse the pod. */
const MAX_CPU_MILLICORES = 256_000;
const MAX_MEMORY_BYTES = 2 ** 40;

const resourceList = z.strictObject({
  cpu: z
    .string()
    .regex(CPU_PATTERN, 'a CPU quantity such as 100m, 1 or 1.5 (at most 3 decimals)')
    .refine((q) => !CPU_PATTERN.test(q) || cpuMillicores(q) <= MAX_CPU_MILLICORES, `at most ${MAX_CPU_MILLICORES / 1000} cores`),
  memory: z
    .string()
    .regex(MEMORY_PATTERN, 'a memory quantity such as 64Mi or 1Gi')
    .refine((q) => !MEMORY_PATTERN.test(q) || memoryBytes(q) <= MAX_MEMORY_BYTES, 'at most 1Ti'),
});

const percent = z.number().gt(0).max(100);

/** Printable ASCII: what a log line, an event and a terminal show as written (no control characters). */
const PRINTABLE = /^[\x20-\x7e]*$/;

const conformanceCheck = z.strictObject({
  /** Shown in Flagger's events when the check fails. Quoted for the shell like every argument. */
  name: z.string().min(1).max(80).regex(PRINTABLE, 'printable ASCII (no control characters)'),
  method: z.enum(['GET', 'POST']).default('GET'),
  /** Path on the canary, e.g. `/readyz`; the request must answer 2xx. */
  path: z.string().max(200).regex(/^\/[A-Za-z0-9/_.-]*$/, 'an absolute URL path of letters, digits and / _ . -'),
  /** Request body for POST, sent as JSON exactly as written (curl --data-raw, quoted for the shell). */
  body: z.string().max(4096).regex(PRINTABLE, 'printable ASCII (no control characters)').optional(),
});

const schema = z
  .strictObject({
    name: serviceName,
    /** One line on the service's role, written into its objects' annotations. */
    description: z.string().min(1).max(1000),
    /** podinfo release this service runs; defaults to the one pinned for the whole app. */
    podinfoVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, `a pinned release such as ${PODINFO_VERSION} (never latest)`)
      .default(PODINFO_VERSION),
    /** podinfo configuration for this service's role, written to its ConfigMap. */
    config: z.strictObject({
      message: z.string().min(1).max(1000),
      color: z.string().regex(/^#[0-9a-f]{6}$/, 'a colour such as #34577c'),
      logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
      /** Services this one calls (podinfo `backend-url`); each must be in the same distribution. */
      calls: z.array(serviceName).max(20).default([]),
    }),
    resources: z.strictObject({ requests: resourceList, limits: resourceList }),
    autoscaling: z.strictObject({
      minReplicas: z.number().int().min(1).max(1000),
      maxReplicas: z.number().int().min(1).max(1000),
      targetCpuUtilizationPercent: percent.int(),
    }),
    analysis: z.strictObject({
      /** Time between Flagger checks; at least 10s. */
      interval: z
        .string()
        .regex(DURATION_PATTERN, 'seconds or minutes such as 30s or 1m')
        // zod runs every check even after the pattern fails: only measure what parsed.
        .refine((value) => !DURATION_PATTERN.test(value) || durationSeconds(value) >= 10, 'at least 10s (Flagger minimum)')
        .refine((value) => !DURATION_PATTERN.test(value) || durationSeconds(value) <= 3600, 'at most 1h: a release would take days'),
      /** Failed checks, cumulative, before Flagger rolls back. */
      threshold: z.number().int().min(1).max(100),
      /** Seconds the canary Deployment may take to become ready before Flagger rolls back. */
      progressDeadlineSeconds: z.number().int().min(60).max(86_400).default(600),
    }),
    slo: z.strictObject({
      /** Minimum share of non-5xx responses, in percent (builtin request-success-rate). */
      availabilityPercent: percent,
      /** Maximum share of 4xx and 5xx responses, in percent: catches a release that starts rejecting requests. */
      errorRatePercent: z.number().min(0).lt(100),
      /** Maximum mean response time, in milliseconds. */
      averageResponseTimeMs: z.number().gt(0).max(600_000),
      /** Maximum 99th percentile response time, in milliseconds (builtin request-duration). */
      p99ResponseTimeMs: z.number().gt(0).max(600_000),
    }),
    /** Traffic the load test sends to the canary during analysis, so the SLO queries have data. */
    load: z
      .strictObject({
        requestsPerSecond: z.number().int().min(1).max(1000),
        concurrency: z.number().int().min(1).max(100),
      })
      .default({ requestsPerSecond: 10, concurrency: 2 }),
    /** Requests the blocking conformance test makes against the canary before any traffic moves. */
    conformance: z.array(conformanceCheck).min(1).max(20),
  })
  .superRefine((input, ctx) => {
    const { requests, limits } = input.resources;
    if (cpuMillicores(limits.cpu) < cpuMillicores(requests.cpu)) {
      ctx.addIssue({
        code: 'custom',
        path: ['resources', 'limits', 'cpu'],
        message: `resources.limits.cpu (${limits.cpu}) is below resources.requests.cpu (${requests.cpu})`,
      });
    }
    if (memoryBytes(limits.memory) < memoryBytes(requests.memory)) {
      ctx.addIssue({
        code: 'custom',
        path: ['resources', 'limits', 'memory'],
        message: `resources.limits.memory (${limits.memory}) is below resources.requests.memory (${requests.memory})`,
      });
    }
    const { minReplicas, maxReplicas } = input.autoscaling;
    if (maxReplicas < minReplicas) {
      ctx.addIssue({
        code: 'custom',
        path: ['autoscaling', 'maxReplicas'],
        message: `autoscaling.maxReplicas (${maxReplicas}) is below autoscaling.minReplicas (${minReplicas})`,
      });
    }
    const { averageResponseTimeMs, p99ResponseTimeMs } = input.slo;
    if (averageResponseTimeMs > p99ResponseTimeMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['slo', 'averageResponseTimeMs'],
        message: `slo.averageResponseTimeMs (${averageResponseTimeMs}) is above slo.p99ResponseTimeMs (${p99ResponseTimeMs}): the average check could never fail first`,
      });
    }
    if (input.config.calls.includes(input.name)) {
      ctx.addIssue({ code: 'custom', path: ['config', 'calls'], message: `${input.name} cannot call itself` });
    }
  });

// The spelt-out types must be the schema's own, both ways: a field added, dropped or made optional
// on one side only fails the type check here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inputIsSchemas: Same<ServiceInput, z.input<typeof schema>> = true;
const specIsSchemas: Same<ServiceSpec, z.output<typeof schema>> = true;
void inputIsSchemas, specIsSchemas;

/** Parses what a service team wrote into a ServiceSpec (unknown keys rejected, defaults applied). */
export const serviceInputSchema: z.ZodType<ServiceSpec, ServiceInput> = schema;
