import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, releaseCommit } from './git.js';

const sh = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: '2026-03-04T05:06:07Z', GIT_COMMITTER_DATE: '2026-03-04T05:06:07Z', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();

/** A repository whose `env` package's package.json was committed once, then another file later. */
function repository(): { repo: string; pkg: string; commit: string } {
  const repo = mkdtempSync(join(tmpdir(), 'canaryship-git-'));
  const pkg = join(repo, 'env');
  mkdirSync(pkg);
  sh(repo, 'init', '-q');
  writeFileSync(join(pkg, 'package.json'), '{"version":"1.0.0"}');
  sh(repo, 'add', '.');
  sh(repo, 'commit', '-qm', 'release');
  const commit = sh(repo, 'rev-parse', 'HEAD');
  writeFileSync(join(pkg, 'other.txt'), 'x');
  sh(repo, 'add', '.');
  sh(repo, 'commit', '-qm', 'later');
  return { repo, pkg, commit };
}

describe('releaseCommit', () => {
  it("is the last commit of the package's package.json, at its commit time", async () => {
    const { pkg, commit } = repository();
    expect(await releaseCommit(pkg, {})).toEqual({ commit, created: '2026-03-04T05:06:07Z' });
  });

  it('takes its time from SOURCE_DATE_EPOCH when set, and refuses one that is not whole seconds', async () => {
    const { pkg, commit } = repository();
    expect(await releaseCommit(pkg, { SOURCE_DATE_EPOCH: '86400' })).toEqual({ commit, created: '1970-01-02T00:00:00Z' });
    expect(await releaseCommit(pkg, { SOURCE_DATE_EPOCH: '' })).toEqual({ commit, created: '2026-03-04T05:06:07Z' });
    for (const epoch of ['1.5', '-1', 'x86400', '86400x', '1234567890123']) {
      await expect(releaseCommit(pkg, { SOURCE_DATE_EPOCH: epoch }), epoch).rejects.toMatchObject({ code: 'publish.source-date-epoch', message: `SOURCE_DATE_EPOCH must be whole seconds since 1970, not "${epoch}"` });
    }
  });

  it('is refused outside a repository, for an uncommitted package, and in a shallow clone, each saying what to do', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'canaryship-nogit-'));
    await expect(releaseCommit(outside, {})).rejects.toMatchObject({ code: 'publish.no-release-commit', message: `cannot find the release commit of ${outside}: it is not in a git repository`, hint: 'publish from a clone of the repository' });
    const { repo } = repository();
    const fresh = join(repo, 'fresh');
    mkdirSync(fresh);
    writeFileSync(join(fresh, 'package.json'), '{}');
    await expect(releaseCommit(fresh, {})).rejects.toMatchObject({ code: 'publish.no-release-commit', message: `cannot find the release commit of ${fresh}: its package.json is not committed`, hint: 'commit the version bump first' });
    const shallow = mkdtempSync(join(tmpdir(), 'canaryship-shallow-'));
    sh(shallow, 'clone', '-q', '--depth', '1', `file://${repo}`, 'clone');
    await expect(releaseCommit(join(shallow, 'clone', 'env'), {})).rejects.toMatchObject({ code: 'publish.shallow-clone' });
  });
});

describe('git', () => {
  it("gives git's output trimmed, and its failure as the last line it printed", async () => {
    const { repo, commit } = repository();
    expect(await git(repo, 'rev-parse', 'HEAD~1')).toBe(commit);
    await expect(git(repo, 'rev-parse', 'no-such-ref')).rejects.toMatchObject({ code: 'git.failed', message: expect.stringMatching(new RegExp(`^git rev-parse failed in ${repo}: .*no-such-ref`)) });
  });
});
