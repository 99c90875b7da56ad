/**
 * `canaryship render`: deterministic output, clear errors, never a half-written distribution, and
 * never anything replaced that is not an earlier render.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMMANDS, main, writeTreeAtomically } from '@canaryship/cli';
import { afterAll, describe, expect, it } from 'vitest';
import { distDir, ENVIRONMENT_NAMES, renderedFiles, ROOT } from '../support/distribution.js';
import { treeDigest } from '../support/tree.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-render-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const captured = () => {
  const out: string[] = [];
  return { write: (text: string) => out.push(text), text: () => out.join('') };
};
const run = async (args: string[], cwd = ROOT) => {
  const stdout = captured();
  const stderr = captured();
  const code = await main(args, { cwd, stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
};

/** An environment package whose distribution is the istio one with one service input broken by `patch`. */
function brokenPackage(name: string, patch: string): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `broken-${name}`, type: 'module', exports: { '.': { default: './lib/index.js' } } }));
  const base = pathToFileURL(join(ROOT, 'environments/istio/lib/index.js')).href;
  writeFileSync(
    join(dir, 'lib/index.js'),
    `import { distribution as base } from ${JSON.stringify(base)};\n` +
      `export const distribution = { ...base, services: base.services.map((s) => s.input.name !== 'frontend' ? s : ${patch}) };\n`,
  );
  return dir;
}

const stagingLeft = (parent: string): string[] => readdirSync(parent).filter((entry) => entry.includes('.canaryship-'));

describe('render', () => {
  it.each(ENVIRONMENT_NAMES)('renders %s byte-identically, wherever it runs from and however often', async (env) => {
    const first = join(scratch, `${env}-a`);
    const second = join(scratch, `${env}-b`);
    expect((await run(['render', `environments/${env}`, '--out', first])).code).toBe(0);
    expect((await run(['render', '.', '--out', second, '--json'], join(ROOT, 'environments', env))).code).toBe(0);
    const digest = treeDigest(first);
    expect(treeDigest(second)).toEqual(digest);
    // Rendering again over the previous render replaces it with the same bytes.
    expect((await run(['render', `environments/${env}`, '--out', first])).code).toBe(0);
    expect(treeDigest(first)).toEqual(digest);
    // The in-process render the distribution tests read is these very bytes.
    expect(Object.fromEntries(renderedFiles(env).map((f) => [f.path, createHash('sha256').update(f.content).digest('hex')]))).toEqual(digest);
    expect(stagingLeft(scratch)).toEqual([]);
  });

  it('reports each file and digest as JSON for CI', async () => {
    const { stdout } = await run(['render', 'environments/linkerd', '--out', join(scratch, 'json'), '--json']);
    const result = JSON.parse(stdout) as { environment: string; files: { path: string; sha256: string }[] };
    expect(result.environment).toBe('linkerd');
    expect(result.files.map((f) => f.path)).toContain('frontend/canary.yaml');
    expect(result.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
  });

  it('answers --json with the failure as JSON on stdout too, issues and all, where CI reads the answer', async () => {
    const pkg = brokenPackage('slo-json', `{ ...s, input: { ...s.input, slo: { ...s.input.slo, availabilityPercent: 120 } } }`);
    const failed = await run(['render', pkg, '--out', join(scratch, 'never'), '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toEqual({
      error: { code: 'distribution.invalid', exitCode: 1, message: '1 problem found:', issues: [expect.objectContaining({ code: 'input.invalid', environment: 'istio', service: 'frontend', path: 'slo.availabilityPercent' })] },
    });
    const usage = await run(['render', 'environments/istio', '--json', '--bogus']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ error: { code: 'usage', exitCode: 2 } });
  });

  it('rejects a bad service input with service, environment and field, exit 1, and writes nothing', async () => {
    const pkg = brokenPackage('slo', `{ ...s, input: { ...s.input, slo: { ...s.input.slo, availabilityPercent: 120 } } }`);
    const out = join(scratch, 'kept');
    cpSync(distDir('istio'), out, { recursive: true });
    const before = treeDigest(out);
    const { code, stderr } = await run(['render', pkg, '--out', out]);
    expect(code).toBe(1);
    expect(stderr).toContain('service frontend, environment istio, field slo.availabilityPercent: Too big: expected number to be <=100');
    expect(stderr).toContain('nothing was written');
    expect(treeDigest(out)).toEqual(before);
    expect(stagingLeft(scratch)).toEqual([]);
  });

  it('exits non-zero from the installed command too', () => {
    const pkg = brokenPackage('strategy', `{ ...s, strategy: { kind: 'progressive', stepWeight: 10, maxWeight: 50, iterations: 3 } }`);
    const result = spawnSync(process.execPath, [join(ROOT, 'tools/cli/bin/canaryship.js'), 'render', pkg, '--out', join(scratch, 'never')], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('service frontend, environment istio, field strategy.iterations: unknown field');
    expect(readdirSync(scratch)).not.toContain('never');
  });
});

describe('render --out never destroys what it did not render', () => {
  const targets: [string, (path: string) => void, string][] = [
    ['a file', (path) => writeFileSync(path, 'precious\n'), 'it is not a directory'],
    ['a package', (path) => cpSync(join(ROOT, 'packages/blocks'), path, { recursive: true, filter: (src) => !src.includes('node_modules') }), 'it is not a canaryship render'],
    ['a home-like directory', (path) => (mkdirSync(join(path, '.ssh'), { recursive: true }), writeFileSync(join(path, '.ssh/id_ed25519'), 'key\n')), 'it is not a canaryship render'],
    ['a symlink to a directory', (path) => symlinkSync(join(ROOT, 'packages'), path), 'it is a symbolic link'],
    [
      'a render with a file added by hand',
      (path) => {
        cpSync(distDir('istio'), path, { recursive: true });
        writeFileSync(join(path, 'notes.txt'), 'mine\n');
      },
      'notes.txt is not part of the render',
    ],
  ];

  it.each(targets)('refuses %s, exit 1, leaving it as it was', async (_name, make, why) => {
    const target = join(mkdtempSync(join(scratch, 'target-')), 'out');
    make(target);
    const before = lstatSync(target).isSymbolicLink() ? 'symlink' : lstatSync(target).isDirectory() ? treeDigest(target) : readFileSync(target, 'utf8');
    const { code, stderr } = await run(['render', 'environments/istio', '--out', target]);
    expect(code).toBe(1);
    expect(stderr).toContain(`error: refusing to replace ${target}: ${why}`);
    expect(stderr).not.toContain('internal error');
    const after = lstatSync(target).isSymbolicLink() ? 'symlink' : lstatSync(target).isDirectory() ? treeDigest(target) : readFileSync(target, 'utf8');
    expect(after).toEqual(before);
  });

  it('renders into an empty directory', async () => {
    const target = join(mkdtempSync(join(scratch, 'empty-')), 'out');
    mkdirSync(target);
    expect((await run(['render', 'environments/kubernetes', '--out', target])).code).toBe(0);
    expect(existsSync(join(target, 'kustomization.yaml'))).toBe(true);
  });

  it('cleans the staging trees an interrupted render left, and leaves look-alikes that are not its own', async () => {
    const parent = mkdtempSync(join(scratch, 'interrupted-'));
    const target = join(parent, 'dist');
    expect((await run(['render', 'environments/istio', '--out', target])).code).toBe(0);
    // A render cut off mid-write: kustomization.yaml and some of its files.
    const partial = join(parent, '.dist.canaryship-new-abc123');
    mkdirSync(join(partial, 'backend'), { recursive: true });
    writeFileSync(join(partial, 'kustomization.yaml'), readFileSync(join(target, 'kustomization.yaml')));
    writeFileSync(join(partial, 'backend/canary.yaml'), 'apiVersion: flagger.app/v1beta1\nkind: Can');
    // A folder that only looks like staging: someone's own files.
    const lookalike = join(parent, '.dist.canaryship-new-mine');
    mkdirSync(lookalike);
    writeFileSync(join(lookalike, 'keep.txt'), 'mine\n');
    expect((await run(['render', 'environments/istio', '--out', target])).code).toBe(0);
    expect(readdirSync(parent).sort()).toEqual(['.dist.canaryship-new-mine', 'dist']);
    expect(readFileSync(join(lookalike, 'keep.txt'), 'utf8')).toBe('mine\n');
  });

  it('takes turns with concurrent renders into one target: each succeeds, a complete render is left, no staging or lock', async () => {
    const parent = mkdtempSync(join(scratch, 'concurrent-'));
    const target = join(parent, 'dist');
    // A lock left by a render that was killed is taken over, not waited for.
    writeFileSync(join(parent, '.dist.canaryship.lock'), '2147483646');
    const results = await Promise.all(Array.from({ length: 6 }, () => run(['render', 'environments/linkerd', '--out', target])));
    expect(results.map((r) => [r.code, r.stderr])).toEqual(results.map(() => [0, expect.any(String)]));
    const reference = join(scratch, 'linkerd-reference');
    await run(['render', 'environments/linkerd', '--out', reference]);
    expect(treeDigest(target)).toEqual(treeDigest(reference));
    expect(readdirSync(parent)).toEqual(['dist']);
  });
});

describe('render of something that is not an environment package', () => {
  const cases: [string, (dir: string) => void, RegExp][] = [
    ['a missing directory', () => undefined, /is not an environment package: it has no package\.json/],
    ['an empty directory', (dir) => mkdirSync(dir), /it has no package\.json/],
    ['a package.json that is not JSON', (dir) => (mkdirSync(dir), writeFileSync(join(dir, 'package.json'), '{ nope')), /its package\.json is not JSON/],
    ['a package without an entry', (dir) => (mkdirSync(dir), writeFileSync(join(dir, 'package.json'), '{"name":"x"}')), /has no exports\["\."\]\.default entry/],
    ['a package not built yet', (dir) => (mkdirSync(dir), writeFileSync(join(dir, 'package.json'), '{"name":"x","exports":{".":{"default":"./lib/index.js"}}}')), /x: \.\/lib\/index\.js does not exist/],
    ['an entry outside the package', (dir) => (mkdirSync(dir), writeFileSync(join(dir, 'package.json'), '{"name":"x","exports":{".":{"default":"../../etc/passwd"}}}')), /its entry \.\.\/\.\.\/etc\/passwd is outside the package/],
    [
      'an entry that does not export a distribution',
      (dir) => (mkdirSync(join(dir, 'lib'), { recursive: true }), writeFileSync(join(dir, 'package.json'), '{"name":"x","type":"module","exports":{".":{"default":"./lib/index.js"}}}'), writeFileSync(join(dir, 'lib/index.js'), 'export const other = 1;\n')),
      /does not export `distribution`/,
    ],
  ];

  it.each(cases)('%s: one clear line, exit 1, no stack', async (_name, make, message) => {
    const dir = join(mkdtempSync(join(scratch, 'pkg-')), 'env');
    make(dir);
    const { code, stderr } = await run(['render', dir, '--out', join(dir, '..', 'out')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toContain('internal error');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, '..', 'out'))).toBe(false);
  });
});

describe('the command line explains itself', () => {
  it.each(COMMANDS.map((c) => c.name))('%s --help prints its usage and examples, exit 0', async (name) => {
    const { code, stdout } = await run([name, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: canaryship ${name}( |\\n)`));
    expect(stdout).toContain('Examples:\n  ');
  });

  it.each(COMMANDS.filter((c) => c.options).map((c) => c.name))('%s --help describes each of its options, every one in its usage line, defaults said', async (name) => {
    const command = COMMANDS.find((c) => c.name === name)!;
    const { stdout } = await run([name, '--help']);
    const described = stdout.slice(stdout.indexOf('Options:\n'), stdout.indexOf('\nExamples:'));
    for (const option of command.options ?? []) {
      expect(command.usage, option.flag).toContain(option.flag.split(' ')[0]);
      expect(described).toContain(`  ${option.flag}`);
    }
    // Each option that has a default says it.
    if (command.usage.includes('--layout')) expect(described).toContain('(default .artifacts/oci)');
    if (command.usage.includes('--timeout')) expect(described).toContain('(default 30)');
  });

  it('answers an unknown command or option with exit 2 and the usage', async () => {
    const unknown = await run(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "deploy"');
    const option = await run(['render', '--frobnicate']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^error: unknown option --frobnicate; options: --out, --json\n\nUsage: canaryship render \[DIR\]/);
    expect(execFileSync(process.execPath, [join(ROOT, 'tools/cli/bin/canaryship.js'), '--help'], { encoding: 'utf8' })).toContain('canaryship render');
  });

  it('suggests the command or option a slip of the keyboard meant, and says which option wants a value', async () => {
    const typo = await run(['rendr']);
    expect(typo).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: unknown command "rendr"; did you mean "render"\?\ncommands: [a-z, -]+\n  canaryship --help says what each does\n$/) });
    expect(await run(['render', '--jsn'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: unknown option --jsn; did you mean --json\?\n/) });
    expect(await run(['render', 'environments/istio', '--out'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: --out needs a value\n/) });
  });

  it('says its version, as its package states it', () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'tools/cli/package.json'), 'utf8')).version as string;
    for (const flag of ['--version', '-V']) expect(execFileSync(process.execPath, [join(ROOT, 'tools/cli/bin/canaryship.js'), flag], { encoding: 'utf8' })).toBe(`canaryship ${version}\n`);
  });
});

describe('writeTreeAtomically', () => {
  it('leaves the previous tree untouched when writing fails midway', async () => {
    const target = join(scratch, 'atomic');
    await writeTreeAtomically(target, [{ path: 'kustomization.yaml', content: '# Rendered by canaryship\nresources: []\n' }]);
    const before = treeDigest(target);
    await expect(
      writeTreeAtomically(target, [
        { path: 'kustomization.yaml', content: '# Rendered by canaryship\nresources: [a.yaml]\n' },
        { path: 'b/../../escape.yaml', content: 'x' },
      ]),
    ).rejects.toThrow(/escapes the tree/);
    expect(treeDigest(target)).toEqual(before);
    expect(stagingLeft(scratch)).toEqual([]);
  });
});
