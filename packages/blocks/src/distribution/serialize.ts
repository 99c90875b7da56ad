/**
 * Canonical YAML: the same objects always give the same bytes. Keys are ordered by a fixed rule
 * (identity first, then alphabetical), independent of how the objects were built; no timestamps.
 */
import { stringify } from 'yaml';

// `name` leads in list items (containers, ports, webhooks); top-level objects have no `name` key.
const LEADING_KEYS = ['name', 'apiVersion', 'kind', 'metadata', 'namespace'];

const keyRank = (key: string): number => {
  const index = LEADING_KEYS.indexOf(key);
  return index === -1 ? LEADING_KEYS.length : index;
};

const compareKeys = (a: string, b: string): number => keyRank(a) - keyRank(b) || (a < b ? -1 : a > b ? 1 : 0);

export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort(compareKeys)
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export const toYaml = (value: unknown): string => stringify(canonical(value), { lineWidth: 0, aliasDuplicateObjects: false });
