/**
 * The changelog lines Changesets writes (`.changeset/config.json` names this module). Its default
 * writes "Updated dependencies" into an environment's CHANGELOG when a service changes, and a
 * provider reading it learns nothing; here the environment's entry carries the text of each
 * changeset that released a service it ships, naming the service and its new version: what
 * changed for the provider, and why. Plain JavaScript: Changesets imports it as it stands.
 *
 * @typedef {{ summary: string, releases: { name: string, type: string }[] }} Changeset
 * @typedef {{ name: string, newVersion: string }} DependencyRelease
 */

/** A changeset's text as one list item (its lines after the first indented under it). */
const item = (summary, suffix = '') => {
  const [first = '', ...rest] = summary.trim().split('\n');
  return [`- ${first.trim()}${suffix}`, ...rest.map((line) => (line.trim() ? `  ${line}` : ''))].join('\n');
};

/**
 * Changesets asks for one package's lines in one synchronous run: each of its own changesets' line,
 * then its dependencies' line (getChangelogEntry in @changesets/apply-release-plan). A changeset that
 * names the package itself as well as a service it ships is in its own lines already: the
 * dependencies' line leaves it out, so a provider reads it once. Cleared at every dependencies' line.
 * @type {Set<string>}
 */
const ownLines = new Set();

/** @param {Changeset} changeset */
export const getReleaseLine = async (changeset) => {
  ownLines.add(changeset.summary);
  return item(changeset.summary);
};

/**
 * @param {Changeset[]} changesets the changesets that released this package's dependencies
 * @param {DependencyRelease[]} dependenciesUpdated
 */
export const getDependencyReleaseLine = async (changesets, dependenciesUpdated) => {
  const own = new Set(ownLines);
  ownLines.clear();
  if (dependenciesUpdated.length === 0) return '';
  const versions = new Map(dependenciesUpdated.map((d) => [d.name, d.newVersion]));
  const lines = changesets.filter((changeset) => !own.has(changeset.summary)).map((changeset) => {
    const from = changeset.releases.filter((r) => versions.has(r.name)).map((r) => `${r.name} ${versions.get(r.name)}`);
    return item(changeset.summary, from.length > 0 ? ` (${from.join(', ')})` : '');
  });
  lines.push(`- Ships ${dependenciesUpdated.map((d) => `${d.name}@${d.newVersion}`).join(', ')}`);
  return lines.join('\n');
};

export default { getReleaseLine, getDependencyReleaseLine };
