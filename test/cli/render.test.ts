/** `canaryship render`: deterministic output, clear errors, and never a half-written distribution. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main, writeTreeAtomically } from '@canaryship/cli';
import { afterAll, describe, expect, it } from 'vitest';
import { distDir, ENVIRONMENT_NAMES, ROOT } from '../support/distribution.js';
import { treeDigest } from '../support/tree.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-render-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const captured = () => {
  const out: string[] = [];
  return { write: (text: string) => out.push(text), text: () => out.join('') };
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

describe('render', () => {
  it.each(ENVIRONMENT_NAMES)('renders %s byte-identically, wherever and however often it runs', async (env) => {
    const first = join(scratch, `${env}-a`);
    const second = join(scratch, `${env}-b`);
    const io = { cwd: ROOT, stdout: captured(), stderr: captured() };
    expect(await main(['render', `environments/${env}`, '--out', first], io)).toBe(0);
    expect(await main(['render', `environments/${env}`, '--out', second, '--json'], io)).toBe(0);
    expect(treeDigest(first)).toEqual(treeDigest(second));
    expect(treeDigest(first)).toEqual(treeDigest(distDir(env)));
  });

  it('reports each file and digest as JSON for CI', async () => {
    const stdout = captured();
    await main(['render', 'environments/linkerd', '--out', join(scratch, 'json'), '--json'], { cwd: ROOT, stdout, stderr: captured() });
    const result = JSON.parse(stdout.text()) as { environment: string; files: { path: string; sha256: string }[] };
    expect(result.environment).toBe('linkerd');
    expect(result.files.map((f) => f.path)).toContain('frontend/canary.yaml');
    expect(result.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
  });

  it('rejects a bad service input with service, environment and field, exit 1, and writes nothing', async () => {
    const pkg = brokenPackage('slo', `{ ...s, input: { ...s.input, slo: { ...s.input.slo, availabilityPercent: 120 } } }`);
    const out = join(scratch, 'kept');
    cpSync(distDir('istio'), out, { recursive: true });
    const before = treeDigest(out);
    const stderr = captured();
    expect(await main(['render', pkg, '--out', out], { cwd: ROOT, stdout: captured(), stderr })).toBe(1);
    expect(stderr.text()).toContain('service frontend, environment istio, field slo.availabilityPercent: Too big: expected number to be <=100');
    expect(stderr.text()).toContain('nothing was written');
    expect(treeDigest(out)).toEqual(before);
    expect(readdirSync(scratch).filter((entry) => entry.includes('.new-'))).toEqual([]);
  });

  it('exits non-zero from the installed command too', () => {
    const pkg = brokenPackage('strategy', `{ ...s, strategy: { kind: 'progressive', stepWeight: 10, maxWeight: 50, iterations: 3 } }`);
    const result = spawnSync('node', [join(ROOT, 'tools/cli/bin/canaryship.js'), 'render', pkg, '--out', join(scratch, 'never')], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('service frontend, environment istio, field strategy.iterations: unknown field');
    expect(readdirSync(scratch)).not.toContain('never');
  });

  it('answers a usage error with exit 2 and help', async () => {
    const stderr = captured();
    expect(await main(['deploy'], { cwd: ROOT, stdout: captured(), stderr })).toBe(2);
    expect(stderr.text()).toContain('unknown command "deploy"');
    expect(execFileSync('node', [join(ROOT, 'tools/cli/bin/canaryship.js'), '--help'], { encoding: 'utf8' })).toContain('canaryship render');
  });
});

describe('writeTreeAtomically', () => {
  it('leaves the previous tree untouched when writing fails midway', async () => {
    const target = join(scratch, 'atomic');
    await writeTreeAtomically(target, [{ path: 'a.yaml', content: 'old: true\n' }]);
    const before = treeDigest(target);
    await expect(
      writeTreeAtomically(target, [
        { path: 'a.yaml', content: 'new: true\n' },
        { path: 'b/../../escape.yaml', content: 'x' },
      ]),
    ).rejects.toThrow(/escapes the tree/);
    expect(treeDigest(target)).toEqual(before);
    expect(readdirSync(scratch).filter((entry) => entry.startsWith('.atomic'))).toEqual([]);
  });
});
