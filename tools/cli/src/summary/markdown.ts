/**
 * A pull request's job summary (GitHub Markdown) from the environment reviews: what a reviewer
 * reads instead of YAML. Every value from a distribution is shown as code, where nothing it holds
 * becomes a link, an image or HTML.
 */
import { planCells, type PlanColumn } from '../commands/plan.js';
import type { EnvironmentReview } from './review.js';

/** At most this many rows per table: a summary, not the diff or the validation report. */
const MAX_ROWS = 40;

/**
 * A table cell holding a value from a distribution: a code span, in which Markdown makes no link,
 * image or HTML, fenced by more backticks than the value holds. The table splits rows at pipes
 * before it reads code spans, so pipes are escaped, and so are backslashes, which would otherwise
 * escape the pipe's escape (a backslash then shows doubled, the one liberty taken with a value).
 */
function cell(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  if (flat.trim() === '') return '';
  const fence = '`'.repeat(Math.max(0, ...[...flat.matchAll(/`+/g)].map((run) => run[0].length)) + 1);
  // A space inside the fence when the value starts or ends with a backtick; it is stripped when shown.
  const pad = /^`|`$/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat.replace(/[\\|]/g, (c) => `\\${c}`)}${pad}${fence}`;
}
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
const table = (header: readonly string[], rows: readonly (readonly string[])[]): string[] => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];

function environmentSection(r: EnvironmentReview): string[] {
  const lines = [`### ${r.environment}: ${code(`${r.package}@${r.version}`)}`, ''];
  if (r.baseline === undefined) lines.push('Nothing published yet: providers receive this version whole.', '');
  else if (r.changes.length === 0) lines.push(`Identical to the published ${r.baseline}: providers receive nothing new.`, '');

  if (r.baseline !== undefined) {
    const verdict =
      r.breaking.length > 0
        ? `**breaks ${r.breaking.length} thing(s)** providers of ${r.baseline} rely on: needs a **${r.bump}** changeset, so their subscriptions do not pick it up`
        : r.bump === 'none'
          ? `keeps the contract of ${r.baseline}; no changeset needed`
          : `keeps the contract of ${r.baseline}: a **patch** (or minor) changeset ships it to every subscriber`;
    lines.push(`**Contract:** ${verdict}`, '');
    if (r.breaking.length > 0) lines.push(...table(['breaking change', 'object', 'what', 'who notices'], r.breaking.map((b) => [b.kind, b.object, b.detail, b.affects])), '');
  }

  if (r.changes.length > 0) {
    lines.push(`**What providers will receive** (against ${r.baseline}): ${r.changes.length} change(s)`, '');
    lines.push(...table(['change', 'object', 'file', 'fields'], r.changes.slice(0, MAX_ROWS).map((c) => [c.change, c.object ?? '(file bytes)', c.file, (c.fields ?? []).join(', ')])));
    if (r.changes.length > MAX_ROWS) lines.push('', `… and ${r.changes.length - MAX_ROWS} more (\`canaryship diff\` lists them all).`);
    lines.push('');
  }

  const errors = r.findings.filter((f) => f.severity === 'error').length;
  lines.push(`**Validation:** ${r.findings.length === 0 ? 'no findings in any layer' : `${errors} error(s), ${r.findings.length - errors} warning(s)`}`, '');
  if (r.findings.length > 0) {
    lines.push(...table(['severity', 'layer', 'where', 'finding'], r.findings.slice(0, MAX_ROWS).map((f) => [f.severity, f.layer, [f.file, f.object, f.path].filter(Boolean).join(' '), `${f.message} [${f.rule}]`])));
    if (r.findings.length > MAX_ROWS) lines.push('', `… and ${r.findings.length - MAX_ROWS} more (\`canaryship validate\` lists them all).`);
    lines.push('');
  }

  if (r.unpinnedImages.length === 0) lines.push('**Images:** every one pinned to a digest', '');
  else {
    lines.push(`**Images:** ${r.unpinnedImages.length} not pinned to a digest, which release refuses: run \`canaryship pin-images\`, render and commit the lock`, '');
    lines.push(...table(['image', 'object', 'field'], r.unpinnedImages.slice(0, MAX_ROWS).map(({ use, why }) => [why, use.object, use.field])));
    if (r.unpinnedImages.length > MAX_ROWS) lines.push('', `… and ${r.unpinnedImages.length - MAX_ROWS} more (\`canaryship pin-images --check\` lists them all).`);
    lines.push('');
  }

  if (r.plans.length > 0) {
    lines.push('**Plan** of every Canary whose analysis changed (`canaryship plan`), the published one → this one where they differ:', '');
    const columns: readonly PlanColumn[] = ['canary', 'strategy', 'promoted after', 'rolled back', 'users exposed', 'who'];
    const cell = (before: string | undefined, after: string): string => (before === undefined || before === after ? after : `${before} → ${after}`);
    lines.push(...table(columns, r.plans.map(({ before, after }) => columns.map((c) => cell(before && planCells(before)[c], planCells(after)[c])))), '');
  }
  return lines;
}

export function summaryMarkdown(reviews: readonly EnvironmentReview[], affectedSince?: string): string {
  const lines = ['## What providers will receive', ''];
  const which = affectedSince === undefined ? 'Environments reviewed' : `Environments this change affects (Nx, since ${code(affectedSince)})`;
  lines.push(reviews.length === 0 ? `${which}: none. No provider receives anything from this change.` : `${which}: ${reviews.map((r) => r.environment).join(', ')}.`, '');
  for (const review of reviews) lines.push(...environmentSection(review));
  return `${lines.join('\n').trimEnd()}\n`;
}
