/**
 * DIR means what the user meant: commands that read a distribution take the environment package
 * too (its dist/), commands about a release take the dist/ too (its package), as kubectl -k and
 * flux build take a folder either way.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@canaryship/cli';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/distribution.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-dir-'));

async function runIn(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { cwd, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}
const run = (...args: string[]) => runIn(ROOT, ...args);

describe('DIR, either way', () => {
  it('validate and plan read an environment package as its dist/', async () => {
    expect(await run('validate', 'environments/istio', '--layer', 'references')).toMatchObject({ code: 0, stdout: expect.stringContaining('istio: 0 error(s)') });
    const plan = await run('plan', 'environments/linkerd', '--json');
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).plans.length).toBeGreaterThan(0);
  });

  it('render, diff and bundle read a dist/ as its environment package', async () => {
    expect(await run('render', 'environments/kubernetes/dist', '--out', join(scratch, 'kubernetes'))).toMatchObject({ code: 0, stdout: expect.stringContaining('rendered kubernetes:') });
    // Not "not an environment package": the package was found, and the version is what is missing.
    expect(await run('diff', 'environments/istio/dist', '--version', '9.9.9', '--layout', join(scratch, 'layout'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/9\.9\.9.*not published|not published.*9\.9\.9/) });
    const bundle = await run('bundle', 'environments/istio/dist', '--registry', 'ghcr.io/acme', '--out', join(scratch, 'bundle'), '--json');
    expect(bundle.code).toBe(0);
    // --json names the folder absolutely, wherever the command ran.
    expect(JSON.parse(bundle.stdout)).toMatchObject({ environment: 'istio', outDir: join(scratch, 'bundle') });
  });

  it('takes `.` from inside either folder', async () => {
    expect(await runIn(join(ROOT, 'environments/istio'), 'validate', '.', '--layer', 'references')).toMatchObject({ code: 0, stdout: expect.stringContaining('istio: 0 error(s)') });
    expect(await runIn(join(ROOT, 'environments/istio/dist'), 'diff', '.', '--version', '9.9.9', '--layout', join(scratch, 'layout'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/9\.9\.9.*not published|not published.*9\.9\.9/) });
  });
});
