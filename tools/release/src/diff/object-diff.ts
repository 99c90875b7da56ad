/**
 * Compares a local build with a published artifact, like `flux diff artifact`: an identical layer
 * means unchanged; otherwise the changes are listed per object (added, removed, changed fields).
 */
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';

type Json = unknown;

export interface ObjectChange {
  readonly object: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly file: string;
  /** Dot paths of the fields that differ (for `changed`). */
  readonly fields?: readonly string[];
}

const objectsOf = (files: ReadonlyMap<string, Buffer>): Map<string, { file: string; object: Record<string, Json> }> => {
  const objects = new Map<string, { file: string; object: Record<string, Json> }>();
  for (const [file, content] of files) {
    if (!file.endsWith('.yaml') || file === 'kustomization.yaml') continue;
    for (const doc of parseAllDocuments(content.toString('utf8'))) {
      const object = doc.toJS() as Record<string, Json> & { kind?: string; metadata?: { name?: string; namespace?: string } };
      if (!object) continue;
      objects.set(`${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`, { file, object });
    }
  }
  return objects;
};

function changedFields(a: Json, b: Json, path = ''): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  const objectLike = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (objectLike(a) && objectLike(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((key) => changedFields(a[key], b[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => changedFields(item, b[i], `${path}[${i}]`));
  }
  return [path || '.'];
}

/** Changes from `published` to `local`. */
export function diffTrees(published: ReadonlyMap<string, Buffer>, local: ReadonlyMap<string, Buffer>): ObjectChange[] {
  const before = objectsOf(published);
  const after = objectsOf(local);
  const changes: ObjectChange[] = [];
  for (const [id, { file, object }] of after) {
    const old = before.get(id);
    if (!old) changes.push({ object: id, change: 'added', file });
    else {
      const fields = changedFields(old.object, object);
      if (fields.length > 0) changes.push({ object: id, change: 'changed', file, fields });
    }
  }
  for (const [id, { file }] of before) if (!after.has(id)) changes.push({ object: id, change: 'removed', file });
  return changes.sort((x, y) => (x.object < y.object ? -1 : 1));
}
