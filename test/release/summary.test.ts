/**
 * `canaryship summary`: the pull request's review of what providers will receive, from a real
 * published version in a local layout: unchanged, a compatible change (with the plan of the Canary
 * whose analysis changed), a breaking one (with the bump it needs), and validation findings.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@canaryship/cli';
import { publish } from '@canaryship/release';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
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
    expect(same.stdout).not.toContain('**Plan**');

    // A faster analysis for frontend: compatible, a patch, and its new plan.
    edit(packageDir, 'frontend/canary.yaml', (o) => void (o.spec.analysis.interval = '30s'));
    const faster = JSON.parse((await summary(packageDir, '--layout', layoutRoot, '--json')).stdout) as { environments: object[] };
    expect(faster.environments[0]).toMatchObject({
      bump: 'patch',
      changes: [{ object: 'Canary/webapp/frontend', fields: ['spec.analysis.interval'] }],
      plans: [{ before: { name: 'frontend', intervalSeconds: 60 }, after: { name: 'frontend', intervalSeconds: 30 } }],
    });
    const table = (await summary(packageDir, '--layout', layoutRoot)).stdout;
    expect(table).toContain('| `changed` | `Canary/webapp/frontend` | `frontend/canary.yaml` | `spec.analysis.interval` |');
    // Old against new: what the published release would do, and what this one will.
    expect(table).toMatch(/\| `webapp\/frontend` \| `progressive canary` \| `480–540s → 240–270s` \| `180s after a first failed check → 90s after a first failed check` \| `50%` \|/);

    // A renamed container: breaking, needs a major; the summary says for whom.
    edit(packageDir, 'backend/deployment.yaml', (o) => void (o.spec.template.spec.containers[0].name = 'api'));
    const breaking = await summary(packageDir, '--layout', layoutRoot);
    expect(breaking.code).toBe(0);
    expect(breaking.stdout).toMatch(/\*\*Contract:\*\* \*\*breaks \d+ thing\(s\)\*\* providers of 1\.2\.0 rely on: needs a \*\*major\*\* changeset/);
    expect(breaking.stdout).toContain('| `container-renamed` | `Deployment/webapp/backend` |');
  });

  it('reports validation findings, and a distribution never published as received whole', async () => {
    const packageDir = environmentPackage('istio', '0.1.0');
    edit(packageDir, 'cache/deployment.yaml', (o) => void (o.spec.template.spec.containers[0].securityContext.runAsNonRoot = false));
    const { code, stdout } = await summary(packageDir, '--layout', mkdtempSync(join(tmpdir(), 'canaryship-summary-')));
    expect(code).toBe(0);
    expect(stdout).toContain('Nothing published yet: providers receive this version whole.');
    expect(stdout).toMatch(/\*\*Validation:\*\* [1-9]\d* error\(s\)/);
    expect(stdout).toMatch(/\| `error` \| `policy` \| `cache\/deployment\.yaml Deployment\/webapp\/cache spec\.template\.spec\.containers\[0\]\.securityContext\.runAsNonRoot` \|/);
  });

  it('needs --base or directories, not both', async () => {
    expect(await summary()).toMatchObject({ code: 2 });
    expect(await summary('--base', 'main', 'environments/istio')).toMatchObject({ code: 2 });
  });
});
