/**
 * The release command's order of work, with `npx` and `npm` replaced by recording stand-ins on
 * PATH and Nx by one in the workspace's node_modules, where the release tooling finds it
 * (changesets, Nx and npm themselves run in test/release/versioning.test.ts, on a clone of this
 * repository, in minutes): versions committed before publishing, tags only after their artifacts,
 * a rerun doing nothing twice, a failed step said plainly. Git and publishing are real.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { release } from '../release.js';
import { affectedEnvironments, runTargets } from './affected.js';

const GIT_ENV = { GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const STAND_IN = `#!/bin/sh
# Records its arguments; does what the test asks through STUB_* variables.
echo "$(basename "$0") $*" >> "$STUB_LOG"
case "$*" in
  "--no-install changeset version") rm -f .changeset/*.md; [ -n "$STUB_BUMP" ] && sed -i "s/\\"version\\":\\"1.0.0\\"/\\"version\\":\\"$STUB_BUMP\\"/" environments/istio/package.json ;;
esac
[ -n "$STUB_FAIL_ALL" ] && { echo "changeset: no config"; exit 1; }
exit 0
`;

/** Nx's stand-in, run by Node from node_modules/nx as the real one is: records, and answers `show projects`. */
const NX_STAND_IN = `const { appendFileSync } = require('node:fs');
const args = process.argv.slice(2).join(' ');
appendFileSync(process.env.STUB_LOG, 'nx ' + args + '\\n');
if (args.startsWith('run-many') && process.env.STUB_RUN_FAIL) {
  console.log('> nx run @canaryship/env-istio:build');
  console.log('error: 1 problem(s); nothing was written');
  console.log('  service backend, environment istio, field analysis.threshold: too many [analysis.threshold-unreachable]');
  console.log(' NX   Ran target build for 1 project (2s)');
  console.log('   Cache:             11/11 hit (100%)');
  process.exit(1);
}
if (args.startsWith('show projects')) {
  if (process.env.STUB_FAIL) { console.log('NX   failed'); console.log('the base is unknown'); process.exit(1); }
  console.log(process.env.STUB_PROJECTS ?? '');
}
`;

/** A folder whose node_modules holds Nx's stand-in (package name, exports and entry as Nx's own). */
function withNx(root: string = mkdtempSync(join(tmpdir(), 'canaryship-nx-'))): string {
  mkdirSync(join(root, 'node_modules/nx/dist/bin'), { recursive: true });
  writeFileSync(join(root, 'node_modules/nx/package.json'), JSON.stringify({ name: 'nx', exports: { './bin/*': './dist/bin/*.js' } }));
  writeFileSync(join(root, 'node_modules/nx/dist/bin/nx.js'), NX_STAND_IN);
  return root;
}

let bin: string;
let log: string;
const saved = { ...process.env };
beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), 'canaryship-bin-'));
  for (const name of ['npx', 'npm']) {
    writeFileSync(join(bin, name), STAND_IN);
    chmodSync(join(bin, name), 0o755);
  }
  log = join(bin, 'calls.log');
  writeFileSync(log, '');
  Object.assign(process.env, { PATH: `${bin}:${saved['PATH']}`, STUB_LOG: log, ...GIT_ENV });
});
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});
const calls = (): string[] => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
const sh = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A workspace with a service package, a private one, and the istio environment at 1.0.0, all tagged; `pending`: a changeset for the service. */
function workspace({ pending = false } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'canaryship-release-'));
  const write = (path: string, content: string): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  write('package.json', JSON.stringify({ name: 'ws', private: true, repository: 'https://github.com/acme/app', workspaces: ['packages/*', 'environments/*'] }));
  // A pending changeset names the service, not the environment: the contract check before versioning has no environment to check (the stand-in versions it).
  write('.changeset/config.json', JSON.stringify({ baseBranch: 'main' }));
  if (pending) write('.changeset/fix-svc.md', "---\n'@x/svc': patch\n---\n\nA fix.\n");
  write('packages/svc/package.json', JSON.stringify({ name: '@x/svc', version: '1.0.0' }));
  write('packages/internal/package.json', JSON.stringify({ name: '@x/internal', version: '1.0.0', private: true }));
  write('packages/notes/README.md', 'not a package');
  write('environments/istio/package.json', JSON.stringify({ name: '@x/env-istio', version: '1.0.0' }));
  write('environments/istio/dist/kustomization.yaml', 'resources: []\n');
  write('package-lock.json', JSON.stringify({ name: 'ws', lockfileVersion: 3, requires: true, packages: {} }));
  write('.gitignore', 'node_modules\n');
  withNx(root);
  sh(root, 'init', '-q');
  sh(root, 'add', '-A');
  sh(root, 'commit', '-qm', 'start');
  sh(root, 'tag', '@x/svc@1.0.0');
  sh(root, 'tag', '@x/env-istio@1.0.0');
  return root;
}

describe('release', () => {
  it('commits the new versions, renders and publishes the untagged environment, then tags it', async () => {
    const cwd = workspace({ pending: true });
    process.env['STUB_BUMP'] = '1.1.0';
    const layoutRoot = mkdtempSync(join(tmpdir(), 'canaryship-layout-'));
    const progress: string[] = [];
    const result = await release({ cwd, layoutRoot, onProgress: (m) => progress.push(m) });
    expect(result.versioned).toEqual(['@x/env-istio@1.1.0']);
    expect(result.tags).toEqual(['@x/env-istio@1.1.0']);
    expect(result.published.map((p) => [p.package, p.version, p.layout.status])).toEqual([['@x/env-istio', '1.1.0', 'written']]);
    expect(calls()).toEqual(['npx --no-install changeset version', 'npm install --package-lock-only --no-audit --no-fund', 'nx run-many -t build validate -p @x/env-istio --outputStyle=static']);
    expect(sh(cwd, 'log', '-1', '--format=%s')).toBe('release: @x/env-istio@1.1.0');
    // The artifact names the release commit, which the tag points at.
    expect(result.published[0]?.revision).toBe(`@x/env-istio@1.1.0@sha1:${sh(cwd, 'rev-parse', 'HEAD')}`);
    expect(sh(cwd, 'rev-list', '-n', '1', '@x/env-istio@1.1.0')).toBe(sh(cwd, 'rev-parse', 'HEAD'));
    expect(progress[0]).toBe('changeset version');
    expect(progress.at(-1)).toBe('tagged @x/env-istio@1.1.0');
  });

  it('does nothing twice: a rerun with nothing new versions, renders, publishes and tags nothing', async () => {
    const cwd = workspace({ pending: true });
    process.env['STUB_BUMP'] = '1.1.0';
    const layoutRoot = mkdtempSync(join(tmpdir(), 'canaryship-layout-'));
    expect((await release({ cwd, layoutRoot })).tags).toEqual(['@x/env-istio@1.1.0']);
    const head = sh(cwd, 'rev-parse', 'HEAD');
    writeFileSync(log, '');
    expect(await release({ cwd, layoutRoot })).toEqual({ versioned: [], published: [], tags: [] });
    // No changeset is pending: `changeset version` (which Changesets 3 fails then) is not run either.
    expect(calls()).toEqual([]);
    expect(sh(cwd, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('finishes an interrupted release: versioned and committed, never tagged', async () => {
    const cwd = workspace();
    sh(cwd, 'tag', '-d', '@x/env-istio@1.0.0');
    const result = await release({ cwd, layoutRoot: mkdtempSync(join(tmpdir(), 'canaryship-layout-')) });
    expect([result.versioned, result.tags, result.published.map((p) => p.version)]).toEqual([[], ['@x/env-istio@1.0.0'], ['1.0.0']]);
  });

  it('says which changeset it cannot read, and runs nothing', async () => {
    const cwd = workspace();
    writeFileSync(join(cwd, '.changeset/typo.md'), "---\n'@x/nope': patch\n---\n\nA fix.\n");
    await expect(release({ cwd, layoutRoot: mkdtempSync(join(tmpdir(), 'canaryship-layout-')) })).rejects.toMatchObject({
      code: 'release.changesets',
      message: 'the pending changesets cannot be read: Found changeset typo for package @x/nope which is not in the workspace',
    });
    expect(calls()).toEqual([]);
  });

  it('stops at a failed step, saying which, and tags nothing', async () => {
    const cwd = workspace({ pending: true });
    process.env['STUB_FAIL_ALL'] = '1';
    await expect(release({ cwd, layoutRoot: mkdtempSync(join(tmpdir(), 'canaryship-layout-')) })).rejects.toMatchObject({ code: 'release.step-failed', message: expect.stringMatching(/^changeset version failed: /) });
    expect(sh(cwd, 'tag', '--list').split('\n')).toEqual(['@x/env-istio@1.0.0', '@x/svc@1.0.0']);
  });
});

describe('affected environments', () => {
  it("are the environment packages among Nx's affected projects, sorted, whatever Nx prints before the list", async () => {
    const ws = withNx();
    process.env['STUB_PROJECTS'] = 'noise before\n["@canaryship/env-linkerd","@canaryship/backend","@canaryship/env-istio","@canaryship/env-openshift","@other/env-istio"]';
    expect(await affectedEnvironments(ws, 'main', 'HEAD')).toEqual([
      { environment: 'istio', package: '@canaryship/env-istio', dist: 'environments/istio/dist' },
      { environment: 'linkerd', package: '@canaryship/env-linkerd', dist: 'environments/linkerd/dist' },
    ]);
    expect(calls()).toEqual(['nx show projects --affected --base=main --head=HEAD --json']);
    process.env['STUB_PROJECTS'] = '[]';
    expect(await affectedEnvironments(join(ws, 'node_modules'), 'origin/main~2')).toEqual([]);
  });

  it('refuses a revision that is not one, and says what Nx could not do', async () => {
    const ws = withNx();
    for (const ref of ['-x', '--exec=rm', 'a b', 'a;b', '']) await expect(affectedEnvironments(ws, ref), ref).rejects.toMatchObject({ code: 'usage', message: `"${ref}" is not a git revision` });
    await expect(affectedEnvironments(ws, 'main', '$(x)')).rejects.toMatchObject({ code: 'usage' });
    process.env['STUB_PROJECTS'] = 'no list';
    await expect(affectedEnvironments(ws, 'main')).rejects.toMatchObject({ code: 'nx.failed', message: 'nx printed no project list for base main' });
    process.env['STUB_FAIL'] = '1';
    await expect(affectedEnvironments(ws, 'main', 'v2')).rejects.toMatchObject({ code: 'nx.failed', message: 'nx could not find the projects affected since main up to v2: the base is unknown' });
  });

  it('a workspace without Nx is told to install it, before anything runs', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'canaryship-no-nx-'));
    await expect(affectedEnvironments(empty, 'main')).rejects.toMatchObject({ code: 'nx.missing', exitCode: 2, message: `nx is not installed in ${empty} or a folder above it`, hint: 'run `npm ci` in the repository first' });
    await expect(runTargets(empty, ['build'], ['@canaryship/env-istio'])).rejects.toMatchObject({ code: 'nx.missing' });
    expect(calls()).toEqual([]);
  });

  it("says why a task failed, in our command's own words, not Nx's closing summary", async () => {
    const ws = withNx();
    process.env['STUB_RUN_FAIL'] = '1';
    const error = (await runTargets(ws, ['build'], ['@canaryship/env-istio']).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      'nx could not run build for @canaryship/env-istio:\n  error: 1 problem(s); nothing was written\n    service backend, environment istio, field analysis.threshold: too many [analysis.threshold-unreachable]',
    );
  });

  it('renders only the projects asked for, and nothing when none', async () => {
    const ws = withNx();
    await runTargets(ws, ['build'], []);
    expect(calls()).toEqual([]);
    const out: string[] = [];
    await runTargets(ws, ['build', 'validate'], ['@canaryship/env-istio'], (t) => out.push(t));
    expect(calls()).toEqual(['nx run-many -t build validate -p @canaryship/env-istio --outputStyle=static']);
    expect(out).toEqual(['']);
  });
});
