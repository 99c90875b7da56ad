/**
 * Makes a structural schema reject unknown fields. The API server prunes (CRDs) or drops (core kinds)
 * fields it does not know, silently: a typo in a manifest is lost instead of failing. Every object
 * schema that lists its properties, and does not opt into unknown fields, gets
 * `additionalProperties: false`. Works on a copy.
 */
type Schema = { [key: string]: unknown };

const isObject = (value: unknown): value is Schema => value !== null && typeof value === 'object' && !Array.isArray(value);

export function rejectUnknownFields<T>(schema: T): T {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isObject(node)) return node;
    const copy: Schema = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === 'enum' || key === 'default' || key === 'example' ? value : visit(value)]));
    const closed =
      isObject(copy['properties']) && copy['additionalProperties'] === undefined && copy['x-kubernetes-preserve-unknown-fields'] !== true;
    return closed ? { ...copy, additionalProperties: false } : copy;
  };
  return visit(schema) as T;
}
