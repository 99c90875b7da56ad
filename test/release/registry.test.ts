/**
 * Publishing against a real registry (Debian's docker-registry), read back by skopeo and by Flux's
 * own OCI client library; immutable versions, `latest`, and recovery from faults.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@canaryship/cli';
import { createRegistryClient, ImmutableVersionError, publish, RegistryError } from '@canaryship/release';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distDir } from '../support/distribution.js';
import { startFaultProxy, startRegistry, type FaultProxy, type TestRegistry } from '../support/registry.js';
import { fluxPull } from '../support/tools.js';
import { treeDigest } from '../support/tree.js';
import { environmentPackage, RELEASE_ENV } from './workspace.js';

let registry: TestRegistry;
let proxy: FaultProxy;
const layoutRoot = (): string => mkdtempSync(join(tmpdir(), 'canaryship-layout-'));
const quick = { attempts: 4, baseDelayMs: 20 };

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
});
afterAll(async () => {
  await proxy?.close();
  await registry?.dispose();
});

const skopeoRaw = (reference: string): Record<string, any> =>
  JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${reference}`], { encoding: 'utf8' }));

describe('publish to a registry', () => {
  it('pushes the Flux artifact format, which skopeo reads and copies', async () => {
    const packageDir = environmentPackage('istio', '1.0.0');
    const result = await publish({ packageDir, layoutRoot: layoutRoot(), registry: registry.host, insecure: true, env: RELEASE_ENV });
    expect(result.registry).toMatchObject({ status: 'pushed', uploaded: 2, latest: true });
    expect(result.reference).toBe(`${registry.host}/webapp/istio:1.0.0`);
    const manifest = skopeoRaw(result.reference);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.config.mediaType).toBe('application/vnd.cncf.flux.config.v1+json');
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(['application/vnd.cncf.flux.content.v1.tar+gzip']);
    expect(manifest.annotations).toEqual({
      'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
      'org.opencontainers.image.revision': '@canaryship/env-istio@1.0.0',
      'org.opencontainers.image.source': 'https://github.com/canaryship/canaryship',
      'org.opencontainers.image.version': '1.0.0',
    });
    const copy = mkdtempSync(join(tmpdir(), 'canaryship-skopeo-'));
    execFileSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${result.reference}`, `oci:${copy}:1.0.0`], { stdio: 'ignore' });
    const index = JSON.parse(readFileSync(join(copy, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(result.digest);
  });

  it('publishes into the local layout without a registry, and a later --registry run pushes from it', async () => {
    const packageDir = environmentPackage('kubernetes', '2.0.0');
    const layout = layoutRoot();
    const local = await publish({ packageDir, layoutRoot: layout, env: RELEASE_ENV });
    expect(local.reference).toBe(`oci:${layout}/webapp/kubernetes:2.0.0`);
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', `oci:${layout}/webapp/kubernetes:2.0.0`], { encoding: 'utf8' }));
    expect(inspect.layers[0].digest).toBe(local.layerDigest);
    const pushed = await publish({ packageDir, layoutRoot: layout, registry: registry.host, insecure: true, env: RELEASE_ENV });
    expect(pushed.layout.status).toBe('unchanged');
    expect(pushed.digest).toBe(local.digest);
    expect(skopeoRaw(pushed.reference).layers[0].digest).toBe(local.layerDigest);
  });

  it('treats a version as immutable: same content uploads nothing, other content is refused', async () => {
    const packageDir = environmentPackage('linkerd', '3.0.0');
    const first = await publish({ packageDir, layoutRoot: layoutRoot(), registry: proxy.host, insecure: true, env: RELEASE_ENV });
    proxy.requests.length = 0;
    const again = await publish({ packageDir, layoutRoot: layoutRoot(), registry: proxy.host, insecure: true, env: RELEASE_ENV });
    expect(again.registry).toMatchObject({ status: 'unchanged', uploaded: 0 });
    expect(proxy.requests.filter((r) => !r.startsWith('GET') && !r.startsWith('HEAD'))).toEqual([]);

    appendFileSync(join(packageDir, 'dist/frontend/configmap.yaml'), '# a change\n');
    const code = await main(['publish', packageDir, '--registry', registry.host, '--insecure', '--layout', layoutRoot()], {
      cwd: packageDir,
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
    });
    expect(code).toBe(1);
    await expect(publish({ packageDir, layoutRoot: layoutRoot(), registry: registry.host, insecure: true, env: RELEASE_ENV })).rejects.toThrow(ImmutableVersionError);
    expect(skopeoRaw(`${registry.host}/webapp/linkerd:3.0.0`).layers[0].digest).toBe(first.layerDigest);
  });

  it('moves latest to the highest release only', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'canaryship-latest-'));
    const publishVersion = async (version: string) => {
      const dir = environmentPackage('istio', version, join(workspace, version));
      appendFileSync(join(dir, 'dist/namespace.yaml'), `# ${version}\n`);
      return publish({ packageDir: dir, layoutRoot: layoutRoot(), registry: `${registry.host}/latest-test`, insecure: true, env: RELEASE_ENV });
    };
    const v2 = await publishVersion('2.0.0');
    expect((await publishVersion('1.5.0')).registry?.latest).toBe(false);
    expect((await publishVersion('2.1.0-rc.1')).registry?.latest).toBe(false);
    expect(skopeoRaw(`${registry.host}/latest-test/webapp/istio:latest`).layers[0].digest).toBe(v2.layerDigest);
    const v21 = await publishVersion('2.1.0');
    expect(v21.registry?.latest).toBe(true);
    expect(skopeoRaw(`${registry.host}/latest-test/webapp/istio:latest`).layers[0].digest).toBe(v21.layerDigest);
  });
});

describe('faults', () => {
  it('retries a registry that answers 500 twice, then completes', async () => {
    const packageDir = environmentPackage('istio', '4.0.0');
    proxy.failNext(2);
    const retries: string[] = [];
    const result = await publish({ packageDir, layoutRoot: layoutRoot(), registry: proxy.host, insecure: true, retry: quick, env: RELEASE_ENV, onProgress: (m) => retries.push(m) });
    expect(result.registry?.status).toBe('pushed');
    expect(retries.filter((m) => m.includes('retry'))).toHaveLength(2);
    expect(skopeoRaw(`${registry.host}/webapp/istio:4.0.0`).layers[0].digest).toBe(result.layerDigest);
  });

  it('a publish cut off by a stopped registry never leaves a tag on missing content, and a rerun completes', async () => {
    const packageDir = environmentPackage('kubernetes', '5.0.0');
    appendFileSync(join(packageDir, 'dist/namespace.yaml'), '# content no other test published\n');
    // Stop the registry right after the first blob upload is accepted.
    proxy.afterResponse(async (request) => {
      if (request.startsWith('PUT') && request.includes('/blobs/uploads/')) {
        proxy.afterResponse(undefined);
        await registry.stop();
      }
    });
    await expect(publish({ packageDir, layoutRoot: layoutRoot(), registry: proxy.host, insecure: true, retry: quick, env: RELEASE_ENV })).rejects.toThrow(RegistryError);
    await registry.start();
    const client = createRegistryClient({ host: registry.host, insecure: true });
    expect(await client.getManifest('webapp/kubernetes', '5.0.0')).toBeUndefined();

    const rerun = await publish({ packageDir, layoutRoot: layoutRoot(), registry: proxy.host, insecure: true, retry: quick, env: RELEASE_ENV });
    expect(rerun.registry).toMatchObject({ status: 'pushed', uploaded: 1 });
    const copy = mkdtempSync(join(tmpdir(), 'canaryship-after-fault-'));
    execFileSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${registry.host}/webapp/kubernetes:5.0.0`, `oci:${copy}:5.0.0`], { stdio: 'ignore' });
    expect(readdirSync(join(copy, 'blobs/sha256'))).toHaveLength(3);
  });
});

describe("Flux's OCI client", () => {
  it('pulls our artifact by tag and by semver range and extracts exactly the distribution', async () => {
    const binary = fluxPull();
    const workspace = mkdtempSync(join(tmpdir(), 'canaryship-flux-'));
    for (const version of ['6.0.0', '6.1.0', '7.0.0']) {
      const dir = environmentPackage('linkerd', version, join(workspace, version));
      if (version !== '6.1.0') appendFileSync(join(dir, 'dist/namespace.yaml'), `# ${version}\n`);
      await publish({ packageDir: dir, layoutRoot: layoutRoot(), registry: `${registry.host}/flux`, insecure: true, env: RELEASE_ENV });
    }
    const byTag = mkdtempSync(join(tmpdir(), 'canaryship-pull-tag-'));
    const tagged = JSON.parse(execFileSync(binary, ['-insecure', `oci://${registry.host}/flux/webapp/linkerd:6.1.0`, byTag], { encoding: 'utf8' }));
    expect(tagged.revision).toBe('@canaryship/env-linkerd@6.1.0');
    expect(treeDigest(byTag)).toEqual(treeDigest(distDir('linkerd')));

    const byRange = mkdtempSync(join(tmpdir(), 'canaryship-pull-semver-'));
    const ranged = JSON.parse(execFileSync(binary, ['-insecure', '-semver', '>=6.0.0 <7.0.0', `oci://${registry.host}/flux/webapp/linkerd`, byRange], { encoding: 'utf8' }));
    expect(ranged.tag).toBe('6.1.0');
    expect(treeDigest(byRange)).toEqual(treeDigest(distDir('linkerd')));
    writeFileSync(join(byRange, '.checked'), '');
  });
});

describe('registry authentication', () => {
  it('answers a Basic challenge with credentials from the environment or the Docker config file, and fails clearly without', async () => {
    const secured = await startRegistry({ basicAuth: { username: 'ci', password: 's3cret' } });
    try {
      const packageDir = environmentPackage('istio', '8.0.0');
      const io = (err: string[]) => ({ cwd: packageDir, stdout: { write: () => undefined }, stderr: { write: (t: string) => err.push(t) } });
      const denied: string[] = [];
      const noCredentials = { ...process.env, CANARYSHIP_REGISTRY_USERNAME: '', CANARYSHIP_REGISTRY_PASSWORD: '', DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'canaryship-nocreds-')) };
      await expect(publish({ packageDir, layoutRoot: layoutRoot(), registry: secured.host, insecure: true, env: { ...noCredentials, ...RELEASE_ENV } })).rejects.toThrow(/wants credentials/);
      expect(await main(['publish', packageDir, '--registry', secured.host, '--insecure', '--layout', layoutRoot()], io(denied))).toBe(1);

      const fromEnv = await publish({ packageDir, layoutRoot: layoutRoot(), registry: secured.host, insecure: true, env: { ...RELEASE_ENV, CANARYSHIP_REGISTRY_USERNAME: 'ci', CANARYSHIP_REGISTRY_PASSWORD: 's3cret' } });
      expect(fromEnv.registry?.status).toBe('pushed');

      const dockerConfig = mkdtempSync(join(tmpdir(), 'canaryship-docker-'));
      writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [secured.host]: { auth: Buffer.from('ci:s3cret').toString('base64') } } }));
      const other = environmentPackage('linkerd', '8.0.0');
      const fromFile = await publish({ packageDir: other, layoutRoot: layoutRoot(), registry: secured.host, insecure: true, env: { ...RELEASE_ENV, DOCKER_CONFIG: dockerConfig } });
      expect(fromFile.registry?.status).toBe('pushed');
      const wrong = publish({ packageDir: other, layoutRoot: layoutRoot(), registry: secured.host, insecure: true, env: { ...RELEASE_ENV, CANARYSHIP_REGISTRY_USERNAME: 'ci', CANARYSHIP_REGISTRY_PASSWORD: 'nope' } });
      await expect(wrong).rejects.toThrow(/check the credentials/);
    } finally {
      await secured.dispose();
    }
  });
});
