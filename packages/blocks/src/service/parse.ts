/** Parses a service input into its spec, or into issues that name the service and field. */
import { DistributionError, type Issue } from '../errors.js';
import { fieldProblems } from '../zod-issues.js';
import { serviceObjects, type ServiceObjects } from '../workload/service-objects.js';
import { serviceInputSchema, type ServiceSpec } from './input.js';

export type ParsedService = { readonly ok: true; readonly spec: ServiceSpec } | { readonly ok: false; readonly issues: Issue[] };

/** Best name to report a broken input under: its own name if it has one, else its position. */
const reportedName = (input: unknown, fallback: string): string => {
  const name = (input as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.length > 0 ? name : fallback;
};

export function parseServiceInput(input: unknown, context: { environment?: string; fallbackName?: string } = {}): ParsedService {
  const parsed = serviceInputSchema.safeParse(input);
  if (parsed.success) return { ok: true, spec: parsed.data };
  const service = reportedName(input, context.fallbackName ?? 'service');
  return {
    ok: false,
    issues: fieldProblems(parsed.error).map((problem) => ({
      code: 'input.invalid',
      ...(context.environment !== undefined && { environment: context.environment }),
      service,
      ...problem,
    })),
  };
}

/** A service's base objects outside any environment (no Canary): for running it without Flagger, or inspecting it. */
export function baseObjects(input: unknown, namespace: string): ServiceObjects {
  const parsed = parseServiceInput(input);
  if (!parsed.ok) throw new DistributionError(parsed.issues);
  return serviceObjects(parsed.spec, namespace);
}
