/** The same distribution gives the same artifact digests, whatever the directory, umask or clock. */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArtifact, buildEnvironmentArtifact, PublishError, releaseCommit, untarGzip } from '@canaryship/release';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { environmentPackage, gitIn, RELEASED_AT } from './workspace.js';
import { ROOT, distDir } from '../support/distribution.js';
import { treeDigest } from '../support/tree.js';

const metadata = { created: '2026-01-01T00:00:00Z', source: 'https://github.com/canaryship/canaryship', revision: '@canaryship/env-istio@1.2.3', version: '1.2.3' };

/** Renders the istio distribution with the CLI under a given umask. */
function renderWithUmask(umask: string): string {
  const out = join(mkdtempSync(join(tmpdir(), `canaryship-umask-${umask}-`)), 'dist');
  execFileSync('/bin/sh', ['-c', `umask ${umask} && exec "$1" tools/cli/bin/canaryship.js render environments/istio --out "$0"`, out, process.execPath], { cwd: ROOT });
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

  it('gives a fixed tree the digests written down here, so a new tar or gzip library that changes bytes fails', async () => {
    // Written down once from a build; a dependency update that changes any byte of the layer, config
    // or manifest changes these, and with them the digest providers' Flux sees for unchanged content.
    const tree = mkdtempSync(join(tmpdir(), 'canaryship-pinned-'));
    mkdirSync(join(tree, 'app'));
    writeFileSync(join(tree, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - app/configmap.yaml\n');
    writeFileSync(join(tree, 'app/configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pinned\ndata:\n  greeting: hello\n');
    const artifact = await buildArtifact(tree, { ...metadata, revision: '1.2.3@sha1:0123456789abcdef0123456789abcdef01234567' });
    // The uncompressed tar (tar-stream's bytes), as the config's diff_id records it.
    expect(JSON.parse(artifact.config.data.toString()).rootfs.diff_ids).toEqual(['sha256:9eff3a39ec474f8e3f70a77343fb58ea5f5bb9aeca8ab522aee625b7bfcf0ae8']);
    expect([artifact.layer.digest, artifact.layer.size]).toEqual(['sha256:e82e97a21da2baf4ace0a88e0c97ca592f8d84f71d89b424c3cc2a661526450f', 261]);
    expect(artifact.config.digest).toBe('sha256:52901405c4bf5c5e5d167b59808f959cdcbafa23e65d0bde778a72ed66d78aef');
    expect(artifact.manifest.digest).toBe('sha256:bb0a9a2292ce7737f6bd5cade677da3b2b904b957ce2a7393d10c83139d660be');
  });

  it('takes created and the revision from the release commit, not the clock', async () => {
    const packageDir = environmentPackage('istio', '1.2.3');
    const release = await releaseCommit(packageDir, {});
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2041-01-01T00:00:00Z'));
    expect(await releaseCommit(packageDir, {})).toEqual(release);
    expect(release).toEqual({ created: RELEASED_AT, commit: gitIn(packageDir, 'rev-parse', 'HEAD') });
    expect((await releaseCommit(packageDir, { SOURCE_DATE_EPOCH: '1800000000' })).created).toBe('2027-01-15T08:00:00Z');
    const { artifact } = await buildEnvironmentArtifact(packageDir, {});
    expect(artifact.annotations['org.opencontainers.image.created']).toBe(RELEASED_AT);
    expect(artifact.annotations['org.opencontainers.image.revision']).toBe(`@canaryship/env-istio@1.2.3@sha1:${release.commit}`);
  });

  it('refuses a shallow clone, naming the real cause: the release commit may not be in it', async () => {
    const source = environmentPackage('linkerd', '2.0.0');
    const root = join(source, '../..');
    appendFileSync(join(root, 'README.md'), 'a later commit\n');
    gitIn(root, 'add', '-A');
    gitIn(root, 'commit', '--quiet', '-m', 'later');
    const shallow = join(mkdtempSync(join(tmpdir(), 'canaryship-shallow-')), 'repo');
    execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${root}`, shallow]);
    const error = await releaseCommit(join(shallow, 'environments/linkerd'), {}).catch((e: unknown) => e);
    expect((error as PublishError).code).toBe('publish.shallow-clone');
    expect((error as PublishError).message).toContain('is in a shallow clone: the commit that released its version may be missing');
    expect((error as PublishError).hint).toContain('fetch-depth: 0');
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
