/**
 * `canaryship validate` reads a distribution as a closed world, within bounds: nothing outside the
 * directory is opened (so nothing outside can leak into a message), special files are refused
 * without blocking, sizes and counts are limited, and every unreadable input is one clear line,
 * exit 1, never an internal error.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@canaryship/cli';
import { LOAD_LIMITS } from '@canaryship/validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distDir } from '../support/distribution.js';
import { documentedCount } from '../support/docs.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-closed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A secret beside the distribution: it must never appear in any output. */
const SECRET = 'TOP-SECRET-do-not-print';
const outside = join(scratch, 'secret.yaml');
writeFileSync(outside, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${SECRET}\nstringData:\n  password: ${SECRET}\n`);

/** A copy of the istio distribution whose kustomization lists `extra` as one more resource, after `prepare`. */
function distributionWith(name: string, extra: string | undefined, prepare: (dir: string) => void = () => undefined): string {
  const dir = join(scratch, name);
  cpSync(distDir('istio'), dir, { recursive: true });
  prepare(dir);
  if (extra !== undefined) appendFileSync(join(dir, "kustomization.yaml"), `  - ${JSON.stringify(extra)}\n`);
  return dir;
}

/** A server on loopback that only counts: every URL a case names points here, and nothing may arrive. */
const fetched: string[] = [];
const witness = createServer((req, res) => {
  fetched.push(req.url ?? '');
  res.writeHead(200).end('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\n');
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => witness.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(witness.address() as AddressInfo).port}`;
});
afterAll(() => witness.close());

/** A copy of the istio distribution whose kustomization also has `field: value` (value given the witness's URL). */
const distributionWithField = (field: string, value: (url: string) => unknown): string =>
  distributionWith(`field-${field}`, undefined, (dir) => appendFileSync(join(dir, 'kustomization.yaml'), `${field}: ${JSON.stringify(value(url))}\n`));

/** Kustomize fields render never writes, each with a value that would make kustomize read a URL. */
const FIELDS: [string, (url: string) => unknown][] = [
  ['patches', (u) => [{ path: `${u}/patch.yaml` }]],
  ['openapi', (u) => ({ path: `${u}/schema.json` })],
  ['crds', (u) => [`${u}/crd.yaml`]],
  ['generators', (u) => [`${u}/generator.yaml`]],
  ['transformers', (u) => [`${u}/transformer.yaml`]],
  ['configurations', (u) => [`${u}/config.yaml`]],
  ['replacements', (u) => [{ path: `${u}/replacement.yaml` }]],
  ['components', (u) => [`${u}/component`]],
  ['helmCharts', (u) => [{ name: 'x', repo: u, version: '1.0.0' }]],
];

const CASES: [string, () => string, RegExp][] = [
  ...FIELDS.map(([field, value]): [string, () => string, RegExp] => [
    `a kustomization with \`${field}\``,
    () => distributionWithField(field, value),
    new RegExp(`kustomization\\.yaml has \`${field}\`, which render never writes: a distribution's kustomization holds apiVersion, kind, resources only`),
  ]),
  ['a kustomization of two documents', () => distributionWith('two-documents', undefined, (dir) => appendFileSync(join(dir, 'kustomization.yaml'), '---\nresources: []\n')), /kustomization\.yaml holds 2 documents; kustomize reads one/],
  ['a resource outside, by ../', () => distributionWith('dotdot', '../secret.yaml'), /kustomization\.yaml lists "\.\.\/secret\.yaml", which is outside the distribution/],
  ['a resource outside, by absolute path', () => distributionWith('absolute', outside), /a distribution only holds relative paths to its own files/],
  ['a remote resource', () => distributionWith('remote', 'https://example.com/base'), /a distribution only holds relative paths to its own files/],
  ['a symlink to a file outside', () => distributionWith('symlink', 'leak.yaml', (dir) => symlinkSync(outside, join(dir, 'leak.yaml'))), /"leak\.yaml" is \(or passes through\) a symbolic link/],
  ['a symlinked folder', () => distributionWith('symdir', 'linked/secret.yaml', (dir) => symlinkSync(scratch, join(dir, 'linked'))), /"linked\/secret\.yaml" is \(or passes through\) a symbolic link/],
  ['a FIFO (never blocks)', () => distributionWith('fifo', 'pipe.yaml', (dir) => execFileSync('mkfifo', [join(dir, 'pipe.yaml')])), /"pipe\.yaml" is not a regular file/],
  ['a directory as a resource', () => distributionWith('dir', 'backend'), /"backend" is not a regular file/],
  ['a missing resource', () => distributionWith('missing', 'nowhere.yaml'), /kustomization\.yaml lists "nowhere\.yaml", which does not exist/],
  ['a file beyond the size limit', () => distributionWith('huge', 'huge.yaml', (dir) => writeFileSync(join(dir, 'huge.yaml'), `# ${'x'.repeat(LOAD_LIMITS.fileBytes)}\n`)), /"huge\.yaml" has \d+ bytes; the limit is 4194304/],
  ['too many documents', () => distributionWith('docs', 'many.yaml', (dir) => writeFileSync(join(dir, 'many.yaml'), '---\na: 1\n'.repeat(LOAD_LIMITS.documents + 1))), /more than 5000 YAML documents/],
  ['invalid YAML', () => distributionWith('yaml', 'bad.yaml', (dir) => writeFileSync(join(dir, 'bad.yaml'), 'kind: Service\nmetadata: [\n')), /bad\.yaml line \d+: invalid YAML/],
  ['a document that is not an object', () => distributionWith('scalar', 'scalar.yaml', (dir) => writeFileSync(join(dir, 'scalar.yaml'), '--- just text\n')), /scalar\.yaml: document 1 is not a Kubernetes object/],
  ['an alias bomb', () => distributionWith('aliases', 'bomb.yaml', (dir) => writeFileSync(join(dir, 'bomb.yaml'), `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`).join('\n')}\n`)), /bomb\.yaml: document 1 cannot be read/],
  ['resources that are not a list', () => distributionWith('notalist', undefined, (dir) => writeFileSync(join(dir, 'kustomization.yaml'), 'resources: namespace.yaml\n')), /resources must be a list of file paths/],
  ['a missing directory', () => join(scratch, 'does-not-exist'), /does-not-exist does not exist/],
  ['a file instead of a directory', () => outside, /secret\.yaml is not a directory/],
  ['an empty directory', () => (mkdirSync(join(scratch, 'empty')), join(scratch, 'empty')), /empty has no kustomization\.yaml/],
];

describe('validate reads a closed world', () => {
  it('refuses as many unreadable distributions as the docs say', () => expect(documentedCount('unreadable distributions')).toBe(CASES.length));

  it.each(CASES)('%s: one clear line, exit 1, nothing from outside printed', async (_name, make, message) => {
    const dir = make();
    const out: string[] = [];
    const code = await main(['validate', dir], { cwd: scratch, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } });
    const output = out.join('');
    expect(code).toBe(1);
    expect(output).toMatch(message);
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain('internal error');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('fetches nothing, whatever the kustomization names', () => expect(fetched).toEqual([]));
});
