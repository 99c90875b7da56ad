/** Layer 1: every object against its schema, unknown fields included. */
import type { ErrorObject } from 'ajv';
import { fieldPath, type Finding } from '../../finding.js';
import type { Distribution } from '../../load.js';
import { kubernetesLimits } from './kubernetes-limits.js';
import type { SchemaRegistry } from './registry.js';

const segments = (instancePath: string): (string | number)[] =>
  instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

/** A `oneOf` of `required` lists (Flagger's analysis) said as "exactly one of a | b | c". */
function oneOfMessage(error: ErrorObject): string {
  const branches = (Array.isArray(error.schema) ? error.schema : []) as { required?: string[] }[];
  const lists = branches.map((b) => b.required ?? []);
  if (lists.length === 0 || lists.some((l) => l.length === 0)) return 'must match exactly one schema in oneOf';
  const common = lists.reduce((acc, l) => acc.filter((k) => l.includes(k)));
  const distinct = lists.map((l) => l.filter((k) => !common.includes(k)).join(' + '));
  return `exactly one of ${distinct.join(' | ')} must be set${common.length ? ` (alongside ${common.join(', ')})` : ''}`;
}

function describe(error: ErrorObject): { path: (string | number)[]; rule: string; message: string } {
  const path = segments(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: [...path, String(error.params['additionalProperty'])], rule: 'schema.unknown-field', message: 'unknown field: the API server would drop it silently' };
    case 'required':
      return { path: [...path, String(error.params['missingProperty'])], rule: 'schema.required', message: 'required field is missing' };
    case 'oneOf':
      return { path, rule: 'schema.one-of', message: oneOfMessage(error) };
    case 'format':
      return { path, rule: `schema.${String(error.params['format'])}`, message: `must be an ${String(error.params['format'])} (an integer the API server can store)` };
    case 'enum':
      return { path, rule: 'schema.enum', message: `must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { path, rule: `schema.${error.keyword}`, message: error.message ?? error.keyword };
  }
}

export async function schemaLayer(distribution: Distribution, registry: SchemaRegistry): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const { file, object, id } of distribution.objects) {
    const base = { layer: 'schema', severity: 'error', distribution: distribution.name, file, object: id } as const;
    const validator = await registry.validator(String(object['apiVersion']), String(object['kind']));
    if (!validator) {
      findings.push({ ...base, rule: 'schema.unknown-kind', message: `no schema for ${object['apiVersion']} ${object['kind']}: not served by Kubernetes or the CRDs in use` });
      continue;
    }
    if (validator(object)) continue;
    const errors = validator.errors ?? [];
    // Inside a failed oneOf, each branch's own errors only restate it.
    const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath);
    const seen = new Set<string>();
    for (const error of errors) {
      if (oneOfPaths.some((p) => error.schemaPath.startsWith(`${p}/`))) continue;
      const { path, rule, message } = describe(error);
      const key = `${fieldPath(path)}|${rule}|${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ ...base, rule, path: fieldPath(path), message });
    }
  }
  return [...findings, ...kubernetesLimits(distribution)];
}
