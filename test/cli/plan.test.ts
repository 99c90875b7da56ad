/**
 * `canaryship plan`: the predictions for every Canary of a distribution, and of a provider's
 * overlay of it, as a table, JSON and charts; clear refusals for what it cannot read.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { customisationPatches, type CanaryPlan } from '@canaryship/blocks';
import { main } from '@canaryship/cli';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEFINITIONS, distDir, ENVIRONMENT_NAMES, ROOT, serviceNamesOf } from '../support/distribution.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-plan-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { cwd: ROOT, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
const plans = async (dir: string): Promise<CanaryPlan[]> => (JSON.parse((await run('plan', dir, '--json')).stdout) as { plans: CanaryPlan[] }).plans;

/** A provider's overlay of the linkerd distribution with `patches`. */
function overlay(name: string, patches: readonly object[]): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [relative(dir, distDir('linkerd'))], patches }));
  return dir;
}

describe('canaryship plan', () => {
  it('plans every Canary of every distribution, from the strategies they ship', async () => {
    for (const env of ENVIRONMENT_NAMES) {
      const result = await plans(distDir(env));
      expect(result.map((p) => p.name), env).toEqual(serviceNamesOf(env));
      for (const p of result) expect(p.promotion.high - p.promotion.low, `${env}/${p.name}`).toBe(p.intervalSeconds);
    }
    // Plain Kubernetes: blue/green only, and the Service selects the primary alone.
    for (const p of await plans(distDir('kubernetes'))) expect([p.strategy, p.exposure.maxShare]).toEqual(['blue/green', 0]);
    // Linkerd's frontend steps 10% at a time to 50%: five steps, (5+4) minutes to promotion.
    const frontend = (await plans(distDir('linkerd'))).find((p) => p.name === 'frontend')!;
    expect(frontend).toMatchObject({ strategy: 'progressive canary', promotion: { low: 480, high: 540 }, exposure: { maxShare: 50 } });
    expect(frontend.exposure.who).toContain('cookie canaryship-frontend');
  });

  it("plans a provider's overlay with its patches, and prints a table a person reads", async () => {
    const { patches } = customisationPatches(DEFINITIONS.linkerd, { kind: 'analysis', service: 'frontend', interval: '10s', stepWeight: 25, maxWeight: 100 });
    const dir = overlay('faster', patches);
    const frontend = (await plans(dir)).find((p) => p.name === 'frontend')!;
    expect(frontend).toMatchObject({ intervalSeconds: 10, promotion: { low: 70, high: 80 }, exposure: { maxShare: 100 } });
    const table = await run('plan', dir);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^canary +strategy +interval +promoted after +rolled back +users exposed +who$/);
    expect(table.stdout).toMatch(/webapp\/frontend +progressive canary +10s +70–80s +30s after a first failed check +100% +up to 100% of users/);
  });

  it('writes a chart per Canary with --svg', async () => {
    const out = join(scratch, 'charts');
    const { code, stdout } = await run('plan', distDir('istio'), '--svg', out);
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(serviceNamesOf('istio').map((name) => `webapp.${name}.svg`));
    expect(readFileSync(join(out, 'webapp.backend.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^]*class="predicted"[^]*<\/svg>\n$/);
    expect(stdout).toContain(`chart: ${join(out, 'webapp.backend.svg')}`);
  });

  it("plan's page shows the charts plan draws for the istio distribution today", async () => {
    const out = join(scratch, 'readme-charts');
    expect((await run('plan', distDir('istio'), '--svg', out)).code).toBe(0);
    const page = readFileSync(join(ROOT, 'docs/commands/plan.md'), 'utf8');
    const shown = [...page.matchAll(/\(\.\.\/plan\/([^)]+\.svg)\)/g)].map((m) => m[1]!);
    expect(shown.length).toBeGreaterThan(0);
    for (const file of shown) {
      // If this fails: `npx canaryship plan environments/istio/dist --svg docs/plan`, keep the charts the page shows, and commit.
      expect(existsSync(join(out, file)), `docs/commands/plan.md shows ${file}, which plan no longer draws`).toBe(true);
      expect(readFileSync(join(ROOT, 'docs/plan', file), 'utf8'), file).toBe(readFileSync(join(out, file), 'utf8'));
    }
    expect(readdirSync(join(ROOT, 'docs/plan')).sort(), 'a chart in docs/plan that docs/commands/plan.md does not show').toEqual([...shown].sort());
  });

  it('refuses what it cannot plan, naming the Canary and field, and writes no chart', async () => {
    const bad = overlay('bad-interval', [{ target: { kind: 'Canary', name: 'backend' }, patch: stringify([{ op: 'replace', path: '/spec/analysis/interval', value: 'soon' }]) }]);
    const out = join(scratch, 'never');
    const refused = await run('plan', bad, '--svg', out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('object Canary/backend, field spec.analysis.interval: must be whole seconds or minutes (10s, 1m), got "soon"');
    expect(existsSync(out)).toBe(false);

    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    expect(await run('plan', empty)).toMatchObject({ code: 1, stderr: expect.stringContaining('does not build with kustomize') });
    expect(await run('plan', join(scratch, 'absent'))).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a directory') });
    writeFileSync(join(empty, 'kustomization.yaml'), stringify({ resources: [] }));
    expect(await run('plan', empty)).toMatchObject({ code: 1, stderr: expect.stringContaining('holds no Flagger Canary') });
  });
});
