/**
 * The documentation a newcomer reads: README fits one screen, every command has a page holding
 * exactly its `--help`, and every link in README and docs/ reaches a file (and heading) that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { COMMANDS, main } from '@canaryship/cli';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/distribution.js';
import { documentationFiles } from '../support/docs.js';

const help = async (command: string): Promise<string> => {
  let out = '';
  await main([command, '--help'], { cwd: ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) } });
  return out.trimEnd();
};

/** GitHub's anchor for a heading: lower case, punctuation but hyphens and underscores dropped, spaces to hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('the documentation', () => {
  it('starts with a README of one screen', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(80);
  });

  it.each(COMMANDS.map((c) => c.name))('has a page for %s that holds its --help', async (name) => {
    const page = readFileSync(join(ROOT, 'docs/commands', `${name}.md`), 'utf8');
    // If this fails: paste `npx canaryship <command> --help` into the page's first block.
    expect(/^# canaryship .+\n\n```\n([^]*?)\n```/.exec(page)?.[1]).toBe(await help(name));
  });

  it('has no page for a command that does not exist', () => {
    expect(readdirSync(join(ROOT, 'docs/commands')).sort()).toEqual(COMMANDS.map((c) => `${c.name}.md`).sort());
  });

  /** A page's prose: code blocks left out (a `# comment` in a shell block is no heading, a path in an example no claim). */
  const prose = (path: string): string => readFileSync(path, 'utf8').replace(/^(```|~~~)[^]*?^\1/gm, '');

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of documentationFiles()) {
      const text = prose(join(ROOT, file));
      // Inline links, with or without a title, and reference definitions.
      const targets = [...text.matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g), ...text.matchAll(/^\[[^\]]+\]:\s+<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
      for (const target of targets) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const resolved = path ? join(dirname(join(ROOT, file)), path) : join(ROOT, file);
        if (!existsSync(resolved)) broken.push(`${file}: ${target}`);
        else if (anchor && resolved.endsWith('.md')) {
          const headings = [...prose(resolved).matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]!));
          if (!headings.includes(anchor)) broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('names only files of the repository that exist, where its prose names one as code', () => {
    const missing: string[] = [];
    for (const file of documentationFiles()) {
      for (const [, path] of prose(join(ROOT, file)).matchAll(/`((?:packages|environments|tools|test|docs|bench|\.github)\/[\w./-]+\.(?:ts|mjs|js|json|md|yml|yaml|sh|go))`/g)) {
        if (!existsSync(join(ROOT, path!))) missing.push(`${file}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
