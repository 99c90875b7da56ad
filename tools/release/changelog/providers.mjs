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

/** @param {Changeset} changeset */
export const getReleaseLine = async (changeset) => item(changeset.summary);

/**
 * @param {Changeset[]} changesets the changesets that released this package's dependencies
 * @param {DependencyRelease[]} dependenciesUpdated
 */
export const getDependencyReleaseLine = async (changesets, dependenciesUpdated) => {
  if (dependenciesUpdated.length === 0) return '';
  const versions = new Map(dependenciesUpdated.map((d) => [d.name, d.newVersion]));
  const lines = changesets.map((changeset) => {
    const from = changeset.releases.filter((r) => versions.has(r.name)).map((r) => `${r.name} ${versions.get(r.name)}`);
    return item(changeset.summary, from.length > 0 ? ` (${from.join(', ')})` : '');
  });
  lines.push(`- Ships ${dependenciesUpdated.map((d) => `${d.name}@${d.newVersion}`).join(', ')}`);
  return lines.join('\n');
};

export default { getReleaseLine, getDependencyReleaseLine };
