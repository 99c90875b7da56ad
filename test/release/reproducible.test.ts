/** The same distribution gives the same artifact digests, whatever the directory, umask or clock. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArtifact, buildEnvironmentArtifact, releaseTime, untarGzip } from '@canaryship/release';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROOT, distDir } from '../support/distribution.js';
import { treeDigest } from '../support/tree.js';

const metadata = { created: '2026-01-01T00:00:00Z', source: 'https://github.com/canaryship/canaryship', revision: '@canaryship/env-istio@1.2.3', version: '1.2.3' };

/** Renders the istio distribution with the CLI under a given umask. */
function renderWithUmask(umask: string): string {
  const out = join(mkdtempSync(join(tmpdir(), `canaryship-umask-${umask}-`)), 'dist');
  execFileSync('/bin/sh', ['-c', `umask ${umask} && exec node tools/cli/bin/canaryship.js render environments/istio --out "$0"`, out], { cwd: ROOT });
  return out;
}

afterEach(() => vi.useRealTimers());

describe('reproducible artifacts', () => {
  it('two builds in different directories, umasks and clocks have the same digests', async () => {
    const a = renderWithUmask('022');
    const b = renderWithUmask('077');
    // Whatever the modes on disk, the tar carries fixed ones.
    for (const entry of readdirSync(b, { recursive: true })) chmodSync(join(b, String(entry)), 0o700);
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-05-05T12:00:00Z'));
    const first = await buildArtifact(a, metadata);
    vi.setSystemTime(new Date('2041-01-01T00:00:00Z'));
    const second = await buildArtifact(b, metadata);
    expect(second.layer.digest).toBe(first.layer.digest);
    expect(second.config.digest).toBe(first.config.digest);
    expect(second.manifest.digest).toBe(first.manifest.digest);
  });

  it('takes created from the release commit, not the clock', async () => {
    const packageDir = join(ROOT, 'environments/istio');
    const now = await releaseTime(packageDir, {});
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2041-01-01T00:00:00Z'));
    expect(await releaseTime(packageDir, {})).toBe(now);
    const commit = execFileSync('git', ['log', '-1', '--format=%cI', '--', 'package.json'], { cwd: packageDir, encoding: 'utf8' }).trim();
    expect(Date.parse(now)).toBe(Date.parse(commit));
    expect(await releaseTime(packageDir, { SOURCE_DATE_EPOCH: '1767225600' })).toBe('2026-01-01T00:00:00Z');
    const { artifact } = await buildEnvironmentArtifact(packageDir, {});
    expect(artifact.annotations['org.opencontainers.image.created']).toBe(now);
    expect(artifact.annotations['org.opencontainers.image.revision']).toMatch(/^@canaryship\/env-istio@\d+\.\d+\.\d+$/);
  });

  it('holds exactly the distribution, in lexical order, owned by root, at mtime 0', async () => {
    const artifact = await buildArtifact(distDir('linkerd'), metadata);
    const files = await untarGzip(artifact.layer.data);
    const extracted = mkdtempSync(join(tmpdir(), 'canaryship-untar-'));
    execFileSync('tar', ['-xzf', '-', '-C', extracted], { input: artifact.layer.data });
    expect(treeDigest(extracted)).toEqual(treeDigest(distDir('linkerd')));
    expect([...files.keys()]).toContain('frontend/canary.yaml');
    const listing = execFileSync('tar', ['-tvzf', '-', '--numeric-owner'], { input: artifact.layer.data, encoding: 'utf8' }).trim().split('\n');
    const names = listing.map((line) => line.split(/\s+/).at(-1) ?? '');
    expect(names[0]).toBe('./');
    expect(names.slice(1)).toEqual([...names.slice(1)].sort());
    for (const line of listing) {
      expect(line).toMatch(/^(drwxr-xr-x|-rw-r--r--) 0\/0 /);
      expect(line).toContain('1970-01-01 00:00');
    }
    // gzip header: no file name flag, mtime 0.
    expect(artifact.layer.data[3]! & 0x08).toBe(0);
    expect(artifact.layer.data.readUInt32LE(4)).toBe(0);
  });
});
