/**
 * What a release says to its providers: the section Changesets wrote into the environment's
 * CHANGELOG.md for the version (with tools/release/changelog/providers.mjs, the text of every
 * changeset that released a service it ships). Publish puts it in the artifact's manifest as
 * `org.opencontainers.image.description`, which Flux's source-controller copies into the
 * OCIRepository's `status.artifact.metadata`, where a provider reads it with kubectl.
 */
import { git } from '../git.js';

/** At most this many bytes of UTF-8, under what an object's status comfortably holds; the whole text stays in CHANGELOG.md. */
export const NOTES_LIMIT = 4096;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The longest start of `text` within `limit` bytes, cut at a line's end when there is one, never inside a character. */
function cutTo(text: string, limit: number): string {
  const characters = [...text];
  let kept = '';
  for (const character of characters) {
    if (bytes(kept) + bytes(character) > limit) break;
    kept += character;
  }
  const lineEnd = kept.lastIndexOf('\n');
  return lineEnd > 0 ? kept.slice(0, lineEnd) : kept;
}

/** The lines under `## <version>` up to the next `## `, or undefined when the CHANGELOG has none. */
export function notesFor(changelog: string, version: string, packageName: string): string | undefined {
  const lines = changelog.replaceAll('\r\n', '\n').split('\n');
  const start = lines.findIndex((line) => line.trimEnd() === `## ${version}`);
  if (start < 0) return undefined;
  const next = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const notes = lines.slice(start + 1, next < 0 ? undefined : next).join('\n').trim();
  if (!notes) return undefined;
  if (bytes(notes) <= NOTES_LIMIT) return notes;
  const more = `\n… the rest is in the CHANGELOG.md of ${packageName}, under ${version}`;
  return `${cutTo(notes, NOTES_LIMIT - bytes(more))}${more}`;
}

/**
 * The notes as the release commit holds them (not the working tree's CHANGELOG, which may have
 * changed since): the same version always gets the same manifest.
 */
export async function releaseNotes(packageDir: string, commit: string, packageName: string, version: string): Promise<string | undefined> {
  const changelog = await git(packageDir, 'show', `${commit}:./CHANGELOG.md`).catch(() => undefined);
  return changelog === undefined ? undefined : notesFor(changelog, version, packageName);
}
