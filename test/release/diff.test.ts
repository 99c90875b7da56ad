/**
 * `canaryship diff`: a local build against a published version. It agrees with publish on what
 * "changed" means (the layer's bytes), names every changed object and file, and reads hostile
 * artifacts within bounds.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { main } from '@canaryship/cli';
import { ARTIFACT_LIMITS, diffArtifact, ImmutableVersionError, MEDIA_TYPES, publish, sha256, tarball, writeToLayout, type Artifact } from '@canaryship/release';
import { describe, expect, it } from 'vitest';
import { DEFINITIONS, pickService } from '../support/distribution.js';
import { environmentPackage } from './workspace.js';

const captured = () => {
  const out: string[] = [];
  return { write: (text: string) => void out.push(text), text: () => out.join('') };
};

/** An artifact in our format around any layer bytes: what a hostile registry or layout could hold. */
function artifactAround(layerData: Buffer): Artifact {
  const blob = (mediaType: string, data: Buffer) => ({ mediaType, digest: sha256(data), size: data.length, data });
  const layer = blob(MEDIA_TYPES.content, layerData);
  const config = blob(MEDIA_TYPES.config, Buffer.from('{}'));
  const descriptor = ({ mediaType, digest, size }: { mediaType: string; digest: string; size: number }) => ({ mediaType, digest, size });
  const manifest = blob(MEDIA_TYPES.manifest, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config: descriptor(config), layers: [descriptor(layer)] })));
  return { manifest, config, layer, annotations: {} };
}

describe('diff against a published version', () => {
  it('says unchanged for the same distribution, and lists object changes otherwise', async () => {
    const packageDir = environmentPackage('istio', '1.0.0');
    const layoutRoot = mkdtempSync(join(tmpdir(), 'canaryship-diff-'));
    await publish({ packageDir, layoutRoot });
    expect(await diffArtifact({ packageDir, version: '1.0.0', layoutRoot })).toMatchObject({ unchanged: true, changes: [] });

    // One service's analysis changes, another's PodDisruptionBudget goes (in the demo: backend's, cache's).
    const { name: changed, analysis } = pickService(DEFINITIONS.istio, 0).input;
    const { name: unbudgeted } = pickService(DEFINITIONS.istio, 1).input;
    const [before, after] = [analysis.threshold, analysis.threshold + 1];
    const canary = join(packageDir, 'dist', changed, 'canary.yaml');
    writeFileSync(canary, readFileSync(canary, 'utf8').replace(`threshold: ${before}`, `threshold: ${after}`));
    rmSync(join(packageDir, 'dist', unbudgeted, 'pdb.yaml'));
    const result = await diffArtifact({ packageDir, version: '1.0.0', layoutRoot });
    expect(result.unchanged).toBe(false);
    expect(result.changes).toEqual([
      { object: `Canary/webapp/${changed}`, change: 'changed', file: `${changed}/canary.yaml`, fields: ['spec.analysis.threshold'], values: [{ field: 'spec.analysis.threshold', before, after }] },
      { object: `PodDisruptionBudget/webapp/${unbudgeted}`, change: 'removed', file: `${unbudgeted}/pdb.yaml` },
    ]);

    const out = captured();
    const code = await main(['diff', packageDir, '--version', '1.0.0', '--layout', layoutRoot], { cwd: packageDir, stdout: out, stderr: captured() });
    expect(code).toBe(1);
    expect(out.text()).toContain(`  changed Canary/webapp/${changed} (${changed}/canary.yaml)\n          spec.analysis.threshold: ${before} → ${after}\n`);
  });

  it('agrees with publish: a comment-only change is a change (publish would refuse the version), shown by file', async () => {
    const packageDir = environmentPackage('linkerd', '1.1.0');
    const layoutRoot = mkdtempSync(join(tmpdir(), 'canaryship-diff-'));
    await publish({ packageDir, layoutRoot });
    appendFileSync(join(packageDir, 'dist/kustomization.yaml'), '# a comment\n');
    const out = captured();
    expect(await main(['diff', packageDir, '--version', '1.1.0', '--layout', layoutRoot], { cwd: packageDir, stdout: out, stderr: captured() })).toBe(1);
    expect(out.text()).toContain(': 1 change(s)\n  changed kustomization.yaml\n');
    await expect(publish({ packageDir, layoutRoot })).rejects.toThrow(ImmutableVersionError);
  });

  it('stops at the bounds on a layer that unpacks to too much, or holds too many entries, saying which', async () => {
    const packageDir = environmentPackage('istio', '1.2.0');
    const bombs: [string, Buffer, RegExp][] = [
      // ~70 KB that unpacks to 72 MB of zeros.
      ['bytes', gzipSync(Buffer.alloc(ARTIFACT_LIMITS.unpackedBytes + (8 << 20))), new RegExp(`unpacks to more than ${ARTIFACT_LIMITS.unpackedBytes} bytes`)],
      ['entries', gzipSync(await tarball(Array.from({ length: ARTIFACT_LIMITS.entries + 1 }, (_, i) => ({ path: `f${i}.yaml`, content: Buffer.from('') })))), new RegExp(`holds more than ${ARTIFACT_LIMITS.entries} entries`)],
      ['garbage', Buffer.from('not gzip at all'), /is not valid gzip/],
    ];
    for (const [name, layer, message] of bombs) {
      const layoutRoot = mkdtempSync(join(tmpdir(), `canaryship-bomb-${name}-`));
      await writeToLayout(join(layoutRoot, 'webapp/istio'), artifactAround(layer), '1.2.0');
      const stderr = captured();
      expect(await main(['diff', packageDir, '--version', '1.2.0', '--layout', layoutRoot], { cwd: packageDir, stdout: captured(), stderr }), name).toBe(2);
      expect(stderr.text(), name).toMatch(message);
      expect(stderr.text(), name).not.toContain('internal error');
    }
  });
});
