/**
 * Versioning with Changesets, and Nx affected builds: a service bump bumps every environment that
 * depends on it; a change renders only the distributions it affects. Both run in a scratch clone.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '@canaryship/cli';
import { affectedEnvironments, imageUses, LOCK_FILE, unpinnedImages } from '@canaryship/release';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, serviceNamesOf } from '../support/distribution.js';
import { pushTestImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { tool } from '../support/tools.js';

// Two services of the app, whichever it has: one a changeset names, one it leaves alone.
const [named = '', untouched = ''] = serviceNamesOf('istio');
let clone: string;
const git = (...args: string[]): string => execFileSync('git', args, { cwd: clone, encoding: 'utf8' }).trim();
/** The jq program with which the release workflow lists what its signing job signs. */
const releaseWorkflowSelection = (): string => {
  const workflow = parse(readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8')) as { jobs: Record<string, { steps: { id?: string; run?: string }[] }> };
  const script = workflow.jobs['release']!.steps.find((s) => s.id === 'release')!.run!;
  return /jq -r '([^']+)' release\.json/.exec(script)![1]!;
};
const version = (dir: string): string => (JSON.parse(readFileSync(join(clone, dir, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(() => {
  clone = join(mkdtempSync(join(tmpdir(), 'canaryship-clone-')), 'repo');
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone]);
  // Tools (nx, changesets) from this checkout; the workspace's own packages from the clone, built
  // there, so that what the clone renders is what its sources (and its image lock) say.
  // Its commands too (`canaryship render` in each environment's build): a render by this
  // checkout's CLI would build the services' objects with this checkout's blocks and image lock.
  const modules = join(ROOT, 'node_modules');
  for (const dir of ['@canaryship', '.bin']) mkdirSync(join(clone, 'node_modules', dir), { recursive: true });
  for (const entry of readdirSync(modules)) if (entry !== '@canaryship' && entry !== '.bin') symlinkSync(join(modules, entry), join(clone, 'node_modules', entry));
  // The workspace's links are relative (`../../packages/blocks`): made again in the clone, they point into it.
  for (const entry of readdirSync(join(modules, '@canaryship'))) symlinkSync(readlinkSync(join(modules, '@canaryship', entry)), join(clone, 'node_modules/@canaryship', entry));
  for (const entry of readdirSync(join(modules, '.bin'))) {
    const target = readlinkSync(join(modules, '.bin', entry));
    symlinkSync(target.includes('@canaryship/') ? target : resolve(modules, '.bin', target), join(clone, 'node_modules/.bin', entry));
  }
  git('config', 'user.email', 'test@example.invalid');
  git('config', 'user.name', 'test');
}, 120_000);

describe('changesets', () => {
  it(`a patch to ${named} bumps ${named} and every environment, and nothing else`, () => {
    writeFileSync(join(clone, `.changeset/${named}-timeout.md`), `---\n'@canaryship/${named}': patch\n---\n\nShorter upstream timeout.\n`);
    // One changeset for a service and an environment that ships it: that environment's providers read it once.
    writeFileSync(join(clone, '.changeset/istio-cap.md'), `---\n'@canaryship/${named}': patch\n'@canaryship/env-istio': patch\n---\n\nIstio: cap the canary at 30%.\n`);
    const before = Object.fromEntries([`packages/${untouched}`, `packages/${named}`, 'environments/istio'].map((d) => [d, version(d)]));
    execFileSync(process.execPath, [join(ROOT, 'node_modules/@changesets/cli/bin.js'), 'version'], { cwd: clone, stdio: 'pipe' });
    const bump = (v: string): string => v.replace(/\d+$/, (patch) => String(Number(patch) + 1));
    expect(version(`packages/${named}`)).toBe(bump(before[`packages/${named}`]!));
    for (const env of ['kubernetes', 'istio', 'linkerd']) expect(version(`environments/${env}`)).toBe(bump(before['environments/istio']!));
    expect(version(`packages/${untouched}`)).toBe(before[`packages/${untouched}`]);
    expect(readFileSync(join(clone, `packages/${named}/CHANGELOG.md`), 'utf8')).toContain('Shorter upstream timeout.');
    // A provider reads what changed and why, not "Updated dependencies".
    const linkerd = readFileSync(join(clone, 'environments/linkerd/CHANGELOG.md'), 'utf8');
    expect(linkerd).toContain(`- Shorter upstream timeout. (@canaryship/${named} ${version(`packages/${named}`)})`);
    expect(linkerd).toContain(`- Ships @canaryship/${named}@${version(`packages/${named}`)}`);
    expect(linkerd).not.toContain('Updated dependencies');
    for (const env of ['istio', 'linkerd']) expect(readFileSync(join(clone, `environments/${env}/CHANGELOG.md`), 'utf8').split('Istio: cap the canary at 30%.').length - 1, env).toBe(1);
    git('checkout', '--quiet', '.');
    git('clean', '--quiet', '-fd', '.changeset', 'packages', 'environments');
  });
});

describe('nx affected', () => {
  const commitChange = (file: string): void => {
    appendFileSync(join(clone, file), '\n// touched by a test\n');
    git('commit', '--quiet', '-am', `touch ${file}`);
  };

  it('a service change affects all three environments', async () => {
    commitChange(`packages/${named}/src/index.ts`);
    expect((await affectedEnvironments(clone, 'HEAD~1')).map((e) => e.environment)).toEqual(['istio', 'kubernetes', 'linkerd']);
  });

  it('an environment change affects only that environment', async () => {
    commitChange('environments/istio/src/index.ts');
    expect((await affectedEnvironments(clone, 'HEAD~1')).map((e) => e.environment)).toEqual(['istio']);
  });

  it('a change outside the graph affects none', async () => {
    commitChange('test/README.md');
    expect(await affectedEnvironments(clone, 'HEAD~1')).toEqual([]);
  });

  it('npm run build:affected renders only the affected distributions and says which, as JSON', async () => {
    const out: string[] = [];
    // HEAD~2..HEAD~1 is the commit that changed environments/istio only.
    const code = await main(['build-affected', '--base', 'HEAD~2', '--head', 'HEAD~1', '--json'], { cwd: clone, stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => undefined } });
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual({ base: 'HEAD~2', environments: [{ environment: 'istio', package: '@canaryship/env-istio', dist: 'environments/istio/dist' }] });
    expect(existsSync(join(clone, 'environments/istio/dist/kustomization.yaml'))).toBe(true);
    expect(existsSync(join(clone, 'environments/linkerd/dist'))).toBe(false);
  }, 300_000);
});

describe('npm run release', () => {
  let registry: TestRegistry;
  beforeAll(async () => void (registry = await startRegistry()));
  afterAll(async () => registry?.dispose());

  const environments = ['istio', 'kubernetes', 'linkerd'].map((env) => join('environments', env));
  /** `--image-mirror` for every registry the distributions name, to the test registry holding their images. */
  let mirrors: string[] = [];
  /** The CLI in the clone: its exit code, its stdout, and all it printed. */
  const cli = async (...args: string[]): Promise<{ code: number; stdout: string; output: string }> => {
    const out: string[] = [];
    const stdout: string[] = [];
    const code = await main(args, { cwd: clone, stdout: { write: (t: string) => (out.push(t), stdout.push(t)) }, stderr: { write: (t: string) => out.push(t) } });
    return { code, stdout: stdout.join(''), output: out.join('') };
  };

  it('refuses to ship an image by tag alone, before versioning anything; once pin-images has pinned them, ships them by digest', async () => {
    writeFileSync(join(clone, `.changeset/${untouched}-ttl.md`), `---\n'@canaryship/${untouched}': minor\n---\n\nLonger TTL.\n`);
    git('add', '-A');
    git('commit', '--quiet', '-m', `changeset for ${untouched}`);
    const head = git('rev-parse', 'HEAD');

    const refused = await cli('release', '--registry', registry.host, '--insecure');
    expect(refused.code, refused.output).toBe(1);
    const uses = await imageUses(environments.map((dir) => join(clone, dir)));
    const podinfo = uses.find((u) => u.environment === 'istio' && u.value.includes('/podinfo:'))!;
    expect(refused.output).toContain(`not pinned to a digest:\n  istio: `);
    expect(refused.output).toContain(`istio: ${podinfo.object} ${podinfo.field}: ${podinfo.value} is not pinned to a digest`);
    expect(refused.output).toContain(`run canaryship pin-images, render (npm run build) and commit ${LOCK_FILE} (nothing was versioned or published)`);
    expect([git('rev-parse', 'HEAD'), git('tag', '--list')]).toEqual([head, '']);

    // The images, at a registry standing in for each one the distributions name (their mirror).
    const digests = new Map<string, string>();
    for (const use of uses) {
      const key = `${use.reference!.name}:${use.reference!.tag}`;
      if (!digests.has(key)) digests.set(key, await pushTestImage(registry.host, use.reference!.repository, use.reference!.tag!));
    }
    mirrors = [...new Set(uses.map((u) => u.reference!.registry))].flatMap((r) => ['--image-mirror', `${r}=http://${registry.host}`]);
    const pinned = await cli('pin-images', ...mirrors);
    expect(pinned.code, pinned.output).toBe(0);
    const lock = readFileSync(join(clone, LOCK_FILE), 'utf8');
    expect(JSON.parse(lock)).toEqual(Object.fromEntries(digests));

    // A digest the registry does not serve (written by hand, or its image deleted since): refused too, before anything is written.
    const [gone = ''] = [...digests.keys()];
    const bogus = `sha256:${'0'.repeat(64)}`;
    writeFileSync(join(clone, LOCK_FILE), lock.replace(digests.get(gone)!, bogus));
    const missing = await cli('release', '--check', '--registry', registry.host, '--insecure', ...mirrors);
    expect(missing.code, missing.output).toBe(1);
    expect(missing.output).toContain(`not served by its registry:\n  ${gone}@${bogus} (`);
    expect(missing.output).toContain(`${registry.host} does not have it in `);
    writeFileSync(join(clone, LOCK_FILE), lock);
    git('commit', '--quiet', '-am', 'pin images');
  }, 300_000);

  it('versions, commits, renders, validates, publishes the new environment versions and tags them; a rerun does nothing', async () => {
    type Published = { reference: string; digest: string };
    const run = async (): Promise<{ code: number; stdout: string; result: { versioned: string[]; tags: string[]; published: (Published & { bundle?: Published })[] } }> => {
      const { code, stdout } = await cli('release', '--registry', registry.host, '--insecure', ...mirrors, '--json');
      return { code, stdout, result: JSON.parse(stdout) };
    };
    const first = await run();
    expect(first.code).toBe(0);
    const serviceVersion = version(`packages/${untouched}`);
    const envVersion = version('environments/istio');
    expect(first.result.versioned).toEqual(expect.arrayContaining([`@canaryship/${untouched}@${serviceVersion}`, `@canaryship/env-istio@${envVersion}`]));
    expect(first.result.published.map((p) => p.reference).sort()).toEqual(['istio', 'kubernetes', 'linkerd'].map((e) => `${registry.host}/webapp/${e}:${version(`environments/${e}`)}`));
    // Each with its provider bundle beside it; the release workflow's signing list (its own jq
    // program, run on this output) holds every release and every bundle, by digest.
    expect(first.result.published.map((p) => p.bundle?.reference).sort()).toEqual(['istio', 'kubernetes', 'linkerd'].map((e) => `${registry.host}/webapp/${e}/bundle:${version(`environments/${e}`)}`));
    const signed = execFileSync(await tool('jq'), ['-r', releaseWorkflowSelection()], { input: first.stdout, encoding: 'utf8' }).trim().split('\n').sort();
    const byDigest = (a: { reference: string; digest: string }): string => `${a.reference.replace(/:[^:/]+$/, '')}@${a.digest}`;
    expect(signed).toEqual(first.result.published.flatMap((p) => [byDigest(p), byDigest(p.bundle!)]).sort());
    expect(git('tag', '--list')).toContain(`@canaryship/env-linkerd@${version('environments/linkerd')}`);
    expect(git('log', '-1', '--format=%s')).toBe(`release: ${first.result.versioned.join(', ')}`);
    expect(git('status', '--porcelain', '--untracked-files=no')).toBe('');

    // What was published names every image by tag and the digest pinned for it.
    const lock = JSON.parse(readFileSync(join(clone, LOCK_FILE), 'utf8')) as Record<string, string>;
    const uses = await imageUses(environments.map((dir) => join(clone, dir)));
    expect(unpinnedImages(uses)).toEqual([]);
    for (const use of uses) expect(use.value).toBe(`${use.reference!.name}:${use.reference!.tag}@${lock[`${use.reference!.name}:${use.reference!.tag}`]}`);
    // A provider's overlay (kustomize's images transformer): pulling from its own mirror keeps the
    // pin; choosing another tag replaces tag and digest alike, so the tag chosen is what runs.
    const [mirrored, retagged] = [...new Map(uses.filter((u) => u.environment === 'kubernetes').map((u) => [u.reference!.name, u.reference!])).values()];
    const mirror = `mirror.example.com/vendor/${mirrored!.repository.split('/').at(-1)}`;
    mkdirSync(join(clone, 'overlay'));
    writeFileSync(join(clone, 'overlay/kustomization.yaml'), `resources:\n  - ../environments/kubernetes/dist\nimages:\n  - name: ${mirrored!.name}\n    newName: ${mirror}\n  - name: ${retagged!.name}\n    newTag: provider-chosen\n`);
    const built = execFileSync(await tool('kustomize'), ['build', join(clone, 'overlay')], { encoding: 'utf8' });
    expect(built).toContain(`image: ${mirror}:${mirrored!.tag}@${mirrored!.digest}`);
    expect(built).not.toContain(`image: ${mirrored!.name}:`);
    expect(built).toContain(`image: ${retagged!.name}:provider-chosen\n`);

    const second = await run();
    expect(second.result).toEqual({ versioned: [], published: [], tags: [] });
  }, 300_000);

  it('refuses a change that breaks providers within their range, before writing anything; a major version ships it', async () => {
    const source = join(clone, 'environments/istio/src/index.ts');
    // Moving the app to another namespace renames every object a provider's patches and tooling name.
    writeFileSync(source, readFileSync(source, 'utf8').replace("environment: 'istio',", "environment: 'istio',\n  namespace: 'shop',"));
    writeFileSync(join(clone, '.changeset/istio-namespace.md'), `---\n'@canaryship/env-istio': patch\n---\n\nThe app moves to namespace shop.\n`);
    git('add', '-A');
    git('commit', '--quiet', '-m', 'istio: namespace shop');
    const head = git('rev-parse', 'HEAD');
    const tags = git('tag', '--list');
    const before = version('environments/istio');
    const release = (...extra: string[]) => cli('release', ...extra, '--registry', registry.host, '--insecure', ...mirrors);

    const checked = await release('--check');
    expect(checked.code, checked.output).toBe(1);
    expect(checked.output).toContain("add a changeset with '@canaryship/env-istio': major");
    const refused = await release();
    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toMatch(new RegExp(`@canaryship/env-istio@[0-9.]+ breaks what providers of ${before.replace(/\./g, '\\.')} rely on:\n {2}Canary/webapp/${serviceNamesOf('istio')[0]}: removed or renamed \\(for providers whose patches or tooling target`));
    expect(refused.output).toMatch(/and \d+ more \(canaryship contract environments\/istio --version [0-9.]+\)/);
    expect(refused.output).toContain("add a changeset with '@canaryship/env-istio': major (nothing was versioned or published)");
    expect([git('rev-parse', 'HEAD'), git('tag', '--list'), version('environments/istio')]).toEqual([head, tags, before]);
    expect(existsSync(join(clone, '.changeset/istio-namespace.md'))).toBe(true);

    writeFileSync(join(clone, '.changeset/istio-namespace.md'), `---\n'@canaryship/env-istio': major\n---\n\nThe app moves to namespace shop.\n`);
    git('commit', '--quiet', '-am', 'istio: the namespace move is a major change');
    expect((await release('--check')).output).toContain('no pending release breaks what providers rely on');
    const shipped = await release();
    expect(shipped.code, shipped.output).toBe(0);
    expect(git('tag', '--list')).toContain(`@canaryship/env-istio@${version('environments/istio')}`);
    expect(version('environments/istio')).toMatch(before.startsWith('0.') ? /^(0\.[1-9]\d*|[1-9]\d*)\./ : /^[1-9]/);
  }, 300_000);
});
