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

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of documentationFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[^]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const resolved = path ? join(dirname(join(ROOT, file)), path) : join(ROOT, file);
        if (!existsSync(resolved)) broken.push(`${file}: ${target}`);
        else if (anchor && resolved.endsWith('.md')) {
          const headings = [...readFileSync(resolved, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]!));
          if (!headings.includes(anchor)) broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
