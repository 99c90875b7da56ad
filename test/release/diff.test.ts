/** `canaryship diff`: a local build against a published version, unchanged or object by object. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@canaryship/cli';
import { diffArtifact, publish } from '@canaryship/release';
import { describe, expect, it } from 'vitest';
import { environmentPackage, RELEASE_ENV } from './workspace.js';

describe('diff against a published version', () => {
  it('says unchanged for the same distribution, and lists object changes otherwise', async () => {
    const packageDir = environmentPackage('istio', '1.0.0');
    const layoutRoot = mkdtempSync(join(tmpdir(), 'canaryship-diff-'));
    await publish({ packageDir, layoutRoot, env: RELEASE_ENV });
    expect(await diffArtifact({ packageDir, version: '1.0.0', layoutRoot })).toMatchObject({ unchanged: true, changes: [] });

    const canary = join(packageDir, 'dist/backend/canary.yaml');
    writeFileSync(canary, readFileSync(canary, 'utf8').replace('threshold: 3', 'threshold: 4'));
    rmSync(join(packageDir, 'dist/cache/pdb.yaml'));
    const result = await diffArtifact({ packageDir, version: '1.0.0', layoutRoot });
    expect(result.unchanged).toBe(false);
    expect(result.changes).toEqual([
      { object: 'Canary/webapp/backend', change: 'changed', file: 'backend/canary.yaml', fields: ['spec.analysis.threshold'] },
      { object: 'PodDisruptionBudget/webapp/cache', change: 'removed', file: 'cache/pdb.yaml' },
    ]);

    const out: string[] = [];
    const code = await main(['diff', packageDir, '--version', '1.0.0', '--layout', layoutRoot], { cwd: packageDir, stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => undefined } });
    expect(code).toBe(1);
    expect(out.join('')).toContain('changed Canary/webapp/backend (backend/canary.yaml): spec.analysis.threshold');
  });
});
