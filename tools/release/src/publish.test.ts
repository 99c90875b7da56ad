import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffArtifact } from './diff/diff-artifact.js';
import { buildEnvironmentArtifact, environmentOf, publish, repositoryPath } from './publish.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

/** A committed repository with one environment package: its package.json and root package.json as given. */
function workspace(pkg: string | object, root: string | object = { repository: { url: 'git+https://github.com/acme/app.git' } }, env = 'istio', files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'canaryship-pub-'));
  const packageDir = join(dir, 'environments', env);
  mkdirSync(join(packageDir, 'dist'), { recursive: true });
  writeFileSync(join(packageDir, 'dist', 'kustomization.yaml'), 'resources: []\n');
  writeFileSync(join(dir, 'package.json'), typeof root === 'string' ? root : JSON.stringify(root));
  writeFileSync(join(packageDir, 'package.json'), typeof pkg === 'string' ? pkg : JSON.stringify(pkg));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(packageDir, file), text);
  for (const args of [['init', '-q'], ['add', '-A'], ['commit', '-qm', 'release']]) execFileSync('git', args, { cwd: dir, env: GIT_ENV });
  return packageDir;
}

describe('an environment package to publish', () => {
  it('is named after its environment', async () => {
    expect(await environmentOf('/x/environments/linkerd/')).toBe('linkerd');
    await expect(environmentOf('/x/packages/backend')).rejects.toMatchObject({ code: 'publish.not-an-environment', exitCode: 2, message: '/x/packages/backend is not an environment package (kubernetes, istio, linkerd)' });
    expect([repositoryPath('istio'), repositoryPath('istio', 'acme/apps')]).toEqual(['webapp/istio', 'acme/apps/webapp/istio']);
  });

  it('carries the source URL of the repository without git+ and .git, from an object or a string', async () => {
    const { artifact, manifest } = await buildEnvironmentArtifact(workspace({ name: '@x/env-istio', version: '1.2.3' }), {});
    expect(manifest).toEqual({ name: '@x/env-istio', version: '1.2.3' });
    expect(artifact.annotations['org.opencontainers.image.source']).toBe('https://github.com/acme/app');
    expect(artifact.annotations['org.opencontainers.image.version']).toBe('1.2.3');
    const fromString = await buildEnvironmentArtifact(workspace({ name: 'e', version: '1.0.0' }, { repository: 'https://gitlab.com/a/b.git' }), {});
    expect(fromString.artifact.annotations['org.opencontainers.image.source']).toBe('https://gitlab.com/a/b');
  });

  it("carries its version's release notes from its CHANGELOG at the release commit, where Flux shows a provider the annotations, and none without", async () => {
    expect((await buildEnvironmentArtifact(workspace({ name: '@x/env-istio', version: '1.3.0' }), {})).artifact.annotations).not.toHaveProperty(['org.opencontainers.image.description']);
    const changelog = "# @x/env-istio\r\n\r\n## 1.3.0\r\n\r\n### Minor Changes\r\n\r\n- Istio: cap backend's canary at 30% (@x/backend 0.2.0)\r\n\r\n## 1.2.0\r\n\r\n- older\r\n";
    const packageDir = workspace({ name: '@x/env-istio', version: '1.3.0' }, undefined, 'istio', { 'CHANGELOG.md': changelog });
    const { artifact } = await buildEnvironmentArtifact(packageDir, {});
    expect(artifact.annotations['org.opencontainers.image.description']).toBe("### Minor Changes\n\n- Istio: cap backend's canary at 30% (@x/backend 0.2.0)");
    expect(JSON.parse(artifact.manifest.data.toString()).annotations['org.opencontainers.image.description']).toContain('cap backend');
    // A later edit of the CHANGELOG does not change what the released version is.
    appendFileSync(join(packageDir, 'CHANGELOG.md'), '- a typo fixed later\n');
    expect((await buildEnvironmentArtifact(packageDir, {})).artifact.manifest.digest).toBe(artifact.manifest.digest);
  });

  it('is refused with the reason when its package.json cannot serve as a tag or a source', async () => {
    const refused = (pkg: string | object, root?: string | object) => buildEnvironmentArtifact(workspace(pkg, root), {});
    await expect(refused({ name: 'e', version: '1.0.0+build.5' })).rejects.toMatchObject({ code: 'publish.version', message: 'e@1.0.0+build.5: semver build metadata (+) cannot be an OCI tag' });
    await expect(refused({ name: 'e', version: 'v1.0.0' })).rejects.toMatchObject({ code: 'publish.package-json', message: expect.stringContaining('/package.json needs a name and a semver version, has {"name":"e","version":"v1.0.0"}') });
    await expect(refused({ name: 'e' })).rejects.toMatchObject({ code: 'publish.package-json', message: expect.stringContaining('needs a name and a semver version, has {"name":"e"}') });
    await expect(refused({ version: '1.0.0' })).rejects.toMatchObject({ code: 'publish.package-json', message: expect.stringContaining('needs a name and a semver version') });
    await expect(refused('{')).rejects.toMatchObject({ code: 'publish.package-json', message: expect.stringMatching(/^the environment package: .*package\.json is not JSON$/) });
    await expect(refused({ name: 'e', version: '1.0.0' }, {})).rejects.toMatchObject({ code: 'publish.package-json', message: 'the root package.json has no repository url for org.opencontainers.image.source' });
    await expect(refused({ name: 'e', version: '1.0.0' }, '[')).rejects.toMatchObject({ message: expect.stringMatching(/^the repository root: .*package\.json is not JSON$/) });
    await expect(buildEnvironmentArtifact(join(mkdtempSync(join(tmpdir(), 'canaryship-none-')), 'istio'), {})).rejects.toMatchObject({ code: 'publish.package-json', message: expect.stringMatching(/^the environment package: .*package\.json cannot be read$/) });
  });
});

describe('publish to the local layout', () => {
  it('reports what it wrote, and the same run again as unchanged', async () => {
    const packageDir = workspace({ name: '@x/env-istio', version: '1.2.3' });
    const layoutRoot = mkdtempSync(join(tmpdir(), 'canaryship-layout-'));
    const messages: string[] = [];
    const first = await publish({ packageDir, layoutRoot, env: {}, onProgress: (m) => messages.push(m) });
    expect(first).toMatchObject({ environment: 'istio', package: '@x/env-istio', version: '1.2.3', reference: `oci:${layoutRoot}/webapp/istio:1.2.3`, layout: { path: `${layoutRoot}/webapp/istio`, status: 'written' } });
    expect(first.revision).toMatch(/^@x\/env-istio@1\.2\.3@sha1:[0-9a-f]{40}$/);
    expect(messages).toEqual([`istio: artifact ${first.digest} (layer ${first.layerDigest})`, `istio: layout ${layoutRoot}/webapp/istio:1.2.3 written`]);
    expect((await publish({ packageDir, layoutRoot, env: {} })).layout.status).toBe('unchanged');
  });
});

describe('diff against the local layout', () => {
  it('says unchanged for the same layer, lists the changed file otherwise, and names a version never published', async () => {
    const packageDir = workspace({ name: '@x/env-istio', version: '1.2.3' });
    const layoutRoot = mkdtempSync(join(tmpdir(), 'canaryship-layout-'));
    const published = await publish({ packageDir, layoutRoot, env: {} });
    const same = await diffArtifact({ packageDir, version: '1.2.3', layoutRoot });
    expect(same).toEqual({ reference: `oci:${layoutRoot}/webapp/istio:1.2.3`, unchanged: true, changes: [], publishedLayer: published.layerDigest, localLayer: published.layerDigest });
    appendFileSync(join(packageDir, 'dist', 'kustomization.yaml'), '# note\n');
    const changed = await diffArtifact({ packageDir, version: '1.2.3', layoutRoot });
    expect([changed.unchanged, changed.changes]).toEqual([false, [{ change: 'changed', file: 'kustomization.yaml' }]]);
    await expect(diffArtifact({ packageDir, version: '9.9.9', layoutRoot })).rejects.toMatchObject({ code: 'diff.not-published', message: `oci:${layoutRoot}/webapp/istio:9.9.9 is not published`, hint: 'check --version and --registry' });
  });
});
