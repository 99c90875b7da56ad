import { cpSync, mkdtempSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { receiptHolds, renderInputsDigest, writeReceipt } from './receipt.js';
import { repository } from './test-repository.js';

/** What a render of the fixture's environment would run on now (the fixture is always readable). */
const inputsOf = (env: string): string => {
  const inputs = renderInputsDigest(env);
  if (!inputs) throw new Error(`${env}: its render inputs cannot be read`);
  return inputs;
};

/** The fixture with a receipt for its dist/, as a render of the package leaves it. */
function rendered(): { root: string; env: string; dist: string; write: (path: string, text: string) => void } {
  const { root, write } = repository();
  const env = join(root, 'environments/e');
  const dist = join(env, 'dist');
  writeReceipt(env, inputsOf(env), dist);
  return { root, env, dist, write };
}

describe("a render's receipt", () => {
  it('vouches for a dist/ nothing has touched since its render, wherever the repository is checked out', () => {
    const { root, env, dist } = rendered();
    expect(receiptHolds(env, dist)).toBe(true);
    const moved = join(mkdtempSync(join(tmpdir(), 'canaryship-moved-')), 'repo');
    cpSync(root, moved, { recursive: true, verbatimSymlinks: true });
    expect(receiptHolds(join(moved, 'environments/e'), join(moved, 'environments/e/dist'))).toBe(true);
  });

  it.each([
    ['a rendered file edited by hand', (r: ReturnType<typeof rendered>) => r.write('environments/e/dist/kustomization.yaml', 'resources: [extra.yaml]\n')],
    ['a file added to the tree', (r: ReturnType<typeof rendered>) => r.write('environments/e/dist/extra.yaml', 'kind: ConfigMap\n')],
    ['a rendered file renamed', (r: ReturnType<typeof rendered>) => renameSync(join(r.dist, 'kustomization.yaml'), join(r.dist, 'kustomization.yml'))],
    ['a link in the tree', (r: ReturnType<typeof rendered>) => symlinkSync('/etc/passwd', join(r.dist, 'passwd.yaml'))],
    ['a file too large for any render', (r: ReturnType<typeof rendered>) => truncateSync(join(r.dist, 'kustomization.yaml'), 17 * 1024 * 1024)],
    ["a service's build replaced", (r: ReturnType<typeof rendered>) => r.write('packages/svc/dist/index.js', "export const interval = '5m';\n")],
    ["a new chunk in a service's build", (r: ReturnType<typeof rendered>) => r.write('packages/svc/dist/chunk-A.js', 'export {};\n')],
    ["the environment's manifest (a version bump)", (r: ReturnType<typeof rendered>) => r.write('environments/e/package.json', JSON.stringify({ name: '@x/env-e', version: '2.0.0', exports: { '.': { default: './lib/index.js' } }, dependencies: { '@x/svc': '1.0.0', yaml: '2' } }))],
    ['an installed library upgraded', (r: ReturnType<typeof rendered>) => r.write('node_modules/yaml/package.json', JSON.stringify({ name: 'yaml', version: '2.9.0' }))],
    ['the receipt damaged', (r: ReturnType<typeof rendered>) => r.write('environments/e/lib/.render-receipt.json', '{"inputs": ')],
    ['the receipt removed', (r: ReturnType<typeof rendered>) => rmSync(join(r.env, 'lib/.render-receipt.json'))],
  ])('no longer vouches once it meets %s, so the check renders and compares', (_, change) => {
    const r = rendered();
    change(r);
    expect(receiptHolds(r.env, r.dist)).toBe(false);
  });

  it('records the inputs as they were before the package was loaded: a change during the render leaves a receipt that never holds', () => {
    const { env, dist, write } = rendered();
    const before = inputsOf(env);
    write('packages/svc/dist/index.js', "export const interval = '5m';\n");
    writeReceipt(env, before, dist);
    expect(receiptHolds(env, dist)).toBe(false);
  });

  it('is not written where the package has no build folder, and a failure to write it does not fail the render', () => {
    const { env, dist } = rendered();
    rmSync(join(env, 'lib'), { recursive: true });
    expect(() => writeReceipt(env, 'a'.repeat(64), dist)).not.toThrow();
    expect(receiptHolds(env, dist)).toBe(false);
    writeFileSync(join(env, 'package.json'), '{}');
    expect(() => writeReceipt(env, 'a'.repeat(64), dist)).not.toThrow();
  });
});
