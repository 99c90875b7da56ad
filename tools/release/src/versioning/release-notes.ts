/**
 * What a release says to its providers: the section Changesets wrote into the environment's
 * CHANGELOG.md for the version (with tools/release/changelog/providers.mjs, the text of every
 * changeset that released a service it ships). Publish puts it in the artifact's manifest as
 * `org.opencontainers.image.description`, which Flux's source-controller copies into the
 * OCIRepository's `status.artifact.metadata`, where a provider reads it with kubectl.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Kept under what an object's status comfortably holds; the whole text stays in CHANGELOG.md. */
export const NOTES_LIMIT = 4096;

/** The lines under `## <version>` up to the next `## `, or undefined when the CHANGELOG has none. */
export function notesFor(changelog: string, version: string, packageName: string): string | undefined {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${version}`);
  if (start < 0) return undefined;
  const next = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const notes = lines.slice(start + 1, next < 0 ? undefined : next).join('\n').trim();
  if (!notes) return undefined;
  if (notes.length <= NOTES_LIMIT) return notes;
  const more = `\n… the rest is in the CHANGELOG.md of ${packageName}, under ${version}`;
  const cut = notes.slice(0, NOTES_LIMIT - more.length);
  return `${cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0)) || cut}${more}`;
}

export async function releaseNotes(packageDir: string, packageName: string, version: string): Promise<string | undefined> {
  const changelog = await readFile(join(packageDir, 'CHANGELOG.md'), 'utf8').catch(() => undefined);
  return changelog === undefined ? undefined : notesFor(changelog, version, packageName);
}
