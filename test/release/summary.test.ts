/**
 * `canaryship summary`: the pull request's review of what providers will receive, from a real
 * published version in a local layout: unchanged, a compatible change (with the plan of the Canary
 * whose analysis changed), a breaking one (with the bump it needs), and validation findings.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { durationSeconds } from '@canaryship/blocks';
import { main } from '@canaryship/cli';
import { imagesOf, publish, readFiles, unpinnedUses } from '@canaryship/release';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { DEFINITIONS, pickService } from '../support/distribution.js';
import { environmentPackage } from './workspace.js';

async function summary(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['summary', ...args], { cwd: tmpdir(), stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** Rewrites one object of the package's dist/, keeping its header line. */
function edit(packageDir: string, file: string, change: (o: Record<string, any>) => void): void {
  const path = join(packageDir, 'dist', file);
  const text = readFileSync(path, 'utf8');
  const object = parseAllDocuments(text)[0]!.toJS() as Record<string, any>;
  change(object);
  writeFileSync(path, text.slice(0, text.indexOf('\n') + 1) + stringify(object));
}

describe('canaryship summary', () => {
  it('says what providers will receive, the contract verdict with its bump, and plans the changed Canaries', async () => {
    const packageDir = environmentPackage('linkerd', '1.2.0');
    const layoutRoot = mkdtempSync(join(tmpdir(), 'canaryship-summary-'));
    await publish({ packageDir, layoutRoot });

    const same = await summary(packageDir, '--layout', layoutRoot);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('### linkerd: `@canaryship/env-linkerd@1.2.0`');
    expect(same.stdout).toContain('Identical to the published 1.2.0: providers receive nothing new.');
    expect(same.stdout).toContain('**Contract:** keeps the contract of 1.2.0; no changeset needed');
    expect(same.stdout).toContain('**Validation:** no findings in any layer');
    // The images release would refuse (by tag alone while this repository's lock does not pin them).
    const unpinned = unpinnedUses(imagesOf('linkerd', await readFiles(join(packageDir, 'dist'))));
    expect(same.stdout).toContain(unpinned.length === 0 ? '**Images:** every one pinned to a digest' : `**Images:** ${unpinned.length} not pinned to a digest, which release refuses`);
    expect(same.stdout).not.toContain('**Plan**');

    // A slower analysis (twice the interval) for a progressive canary, as frontend is in the demo:
    // compatible, a patch, and its new plan.
    const { input } = pickService(DEFINITIONS.linkerd, 1, { what: 'progressive service', test: (release) => release.strategy.kind === 'progressive' });
    const { name, analysis } = input;
    const interval = durationSeconds(analysis.interval);
    edit(packageDir, `${name}/canary.yaml`, (o) => void (o.spec.analysis.interval = `${2 * interval}s`));
    const json = JSON.parse((await summary(packageDir, '--layout', layoutRoot, '--json')).stdout) as { environments: object[] };
    expect(json.environments[0]).toMatchObject({
      bump: 'patch',
      changes: [{ object: `Canary/webapp/${name}`, fields: ['spec.analysis.interval'] }],
      plans: [{ before: { name, intervalSeconds: interval }, after: { name, intervalSeconds: 2 * interval } }],
    });
    const table = (await summary(packageDir, '--layout', layoutRoot)).stdout;
    expect(table).toContain(`| \`changed\` | \`Canary/webapp/${name}\` | \`${name}/canary.yaml\` | \`spec.analysis.interval\` |`);
    // Old against new: what the published release would do, and what this one will (in the demo,
    // 480–540s → 960–1080s). Flagger's schedule counts whole intervals: twice the interval, twice every time.
    const row = new RegExp(`\\| \`webapp/${name}\` \\| \`progressive canary\` \\| \`(\\d+)–(\\d+)s → (\\d+)–(\\d+)s\` \\| \`(\\d+)s after a first failed check → (\\d+)s after a first failed check\` \\| \`\\d+%\` \\|`).exec(table);
    expect(row, table).not.toBeNull();
    const [promotedFrom = 0, promotedTo = 0, nowFrom, nowTo, rolledBack = 0, nowRolledBack] = row!.slice(1).map(Number);
    expect([nowFrom, nowTo, nowRolledBack]).toEqual([2 * promotedFrom, 2 * promotedTo, 2 * rolledBack]);
    expect(promotedFrom).toBeGreaterThan(0);

    // A renamed container (in the demo, backend's): breaking, needs a major; the summary says for whom.
    const { name: renamed } = pickService(DEFINITIONS.linkerd, 0).input;
    edit(packageDir, `${renamed}/deployment.yaml`, (o) => void (o.spec.template.spec.containers[0].name = 'api'));
    const breaking = await summary(packageDir, '--layout', layoutRoot);
    expect(breaking.code).toBe(0);
    expect(breaking.stdout).toMatch(/\*\*Contract:\*\* \*\*breaks \d+ thing\(s\)\*\* providers of 1\.2\.0 rely on: needs a \*\*major\*\* changeset/);
    expect(breaking.stdout).toContain(`| \`container-renamed\` | \`Deployment/webapp/${renamed}\` |`);
  });

  it('reports validation findings, and a distribution never published as received whole', async () => {
    const packageDir = environmentPackage('istio', '0.1.0');
    const { name } = pickService(DEFINITIONS.istio, 1).input;
    edit(packageDir, `${name}/deployment.yaml`, (o) => void (o.spec.template.spec.containers[0].securityContext.runAsNonRoot = false));
    const { code, stdout } = await summary(packageDir, '--layout', mkdtempSync(join(tmpdir(), 'canaryship-summary-')));
    expect(code).toBe(0);
    expect(stdout).toContain('Nothing published yet: providers receive this version whole.');
    expect(stdout).toMatch(/\*\*Validation:\*\* [1-9]\d* error\(s\)/);
    expect(stdout).toContain(`| \`error\` | \`policy\` | \`${name}/deployment.yaml Deployment/webapp/${name} spec.template.spec.containers[0].securityContext.runAsNonRoot\` |`);
  });

  it('needs --base or directories, not both', async () => {
    expect(await summary()).toMatchObject({ code: 2 });
    expect(await summary('--base', 'main', 'environments/istio')).toMatchObject({ code: 2 });
  });
});
