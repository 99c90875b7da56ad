/**
 * What changed between a published distribution and a local one: per Kubernetes object (added,
 * removed, changed fields), and per file for every byte difference no object explains (a comment,
 * kustomization.yaml, a file that is not YAML). Anything unparsable is compared as bytes.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';

type Json = unknown;

export interface ObjectChange {
  /** `Kind/namespace/name`; absent for a change to a file's bytes that no object explains. */
  readonly object?: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly file: string;
  /** Dot paths of the fields that differ (for a changed object). */
  readonly fields?: readonly string[];
  /** Each of those fields' value before and after (absent where the field is). */
  readonly values?: readonly FieldChange[];
}

export interface FieldChange {
  readonly field: string;
  readonly before?: Json;
  readonly after?: Json;
}

type Objects = Map<string, { file: string; object: Record<string, Json> }>;

/** The Kubernetes objects of a distribution's files, by `Kind/namespace/name`. */
export const objectsOf = (files: ReadonlyMap<string, Buffer>): Objects => {
  const objects: Objects = new Map();
  for (const [file, content] of files) {
    if (!file.endsWith('.yaml') || file === 'kustomization.yaml') continue;
    try {
      for (const doc of parseAllDocuments(content.toString('utf8'))) {
        const object = doc.toJS({ maxAliasCount: 100 }) as (Record<string, Json> & { kind?: string; metadata?: { name?: string; namespace?: string } }) | null;
        if (!object || typeof object !== 'object') continue;
        objects.set(`${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`, { file, object });
      }
    } catch {
      // not readable as objects: its bytes are still compared below
    }
  }
  return objects;
};

function changedFields(a: Json, b: Json, path = ''): FieldChange[] {
  if (isDeepStrictEqual(a, b)) return [];
  const objectLike = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (objectLike(a) && objectLike(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((key) => changedFields(a[key], b[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => changedFields(item, b[i], `${path}[${i}]`));
  }
  return [{ field: path || '.', ...(a !== undefined && { before: a }), ...(b !== undefined && { after: b }) }];
}

/** The files of `tree` whose bytes `other` does not hold under the same name. */
const differing = (tree: ReadonlyMap<string, Buffer>, other: ReadonlyMap<string, Buffer>): Map<string, Buffer> =>
  new Map([...tree].filter(([file, bytes]) => !other.get(file)?.equals(bytes)));

/**
 * Changes from `published` to `local`, objects first, then files no object change explains. A file
 * with the same bytes on both sides holds the same objects on both, so only the others are parsed:
 * a service team's edit changes a file or two of a hundred.
 */
export function diffTrees(published: ReadonlyMap<string, Buffer>, local: ReadonlyMap<string, Buffer>): ObjectChange[] {
  const before = objectsOf(differing(published, local));
  const after = objectsOf(differing(local, published));
  const changes: ObjectChange[] = [];
  for (const [id, { file, object }] of after) {
    const old = before.get(id);
    if (!old) changes.push({ object: id, change: 'added', file });
    else {
      const values = changedFields(old.object, object);
      if (values.length > 0) changes.push({ object: id, change: 'changed', file, fields: values.map((v) => v.field), values });
    }
  }
  for (const [id, { file }] of before) if (!after.has(id)) changes.push({ object: id, change: 'removed', file });
  const explained = new Set(changes.map((c) => c.file));
  const files: ObjectChange[] = [];
  for (const file of new Set([...published.keys(), ...local.keys()])) {
    if (explained.has(file)) continue;
    const [a, b] = [published.get(file), local.get(file)];
    if (a && b && a.equals(b)) continue;
    files.push({ change: !a ? 'added' : !b ? 'removed' : 'changed', file });
  }
  const key = (c: ObjectChange): string => c.object ?? `~${c.file}`;
  return [...changes.sort((x, y) => (key(x) < key(y) ? -1 : 1)), ...files.sort((x, y) => (x.file < y.file ? -1 : 1))];
}
