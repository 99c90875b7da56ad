/**
 * Publishing against a real registry (CNCF distribution v3), read back by an independent OCI client
 * (oras) and by Flux's own OCI client library; immutable versions, `latest`, and what holds under
 * faults: 5xx answers, a registry stopped mid-publish, one that never answers, a tampered local
 * layout, and two publishes racing for one version.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compatibleRange } from '@canaryship/blocks';
import { main } from '@canaryship/cli';
import { createRegistryClient, ImmutableVersionError, PublishError, publish, RegistryError, sha256, type PushResult } from '@canaryship/release';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { distDir, ROOT } from '../support/distribution.js';
import { startFaultProxy, startRegistry, startSilentServer, type FaultProxy, type TestRegistry } from '../support/registry.js';
import { tool } from '../support/tools.js';
import { treeDigest } from '../support/tree.js';
import { environmentPackage, gitIn, local, RELEASED_AT } from './workspace.js';

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

/** The manifest as oras (an independent OCI client) reads it from the registry. */
const orasManifest = async (reference: string): Promise<Record<string, any>> =>
  JSON.parse(execFileSync(await tool('oras'), ['manifest', 'fetch', '--plain-http', reference], { encoding: 'utf8' }));

const captured = () => {
  const out: string[] = [];
  return { write: (text: string) => void out.push(text), text: () => out.join('') };
};

describe('publish to a registry', () => {
  it('pushes the Flux artifact format, with the release commit in the revision, which oras reads and copies', async () => {
    const packageDir = environmentPackage('istio', '1.0.0');
    const commit = gitIn(packageDir, 'rev-parse', 'HEAD');
    const result = await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(registry.host) });
    expect(result.registry).toMatchObject({ status: 'pushed', uploaded: 2, latest: true, digest: result.digest });
    expect(result.reference).toBe(`${registry.host}/webapp/istio:1.0.0`);
    const manifest = await orasManifest(result.reference);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.config.mediaType).toBe('application/vnd.cncf.flux.config.v1+json');
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(['application/vnd.cncf.flux.content.v1.tar+gzip']);
    expect(manifest.annotations).toEqual({
      'org.opencontainers.image.created': RELEASED_AT,
      // Flux's convention, <tag>@sha1:<commit>: its notifications read the commit from here.
      'org.opencontainers.image.revision': `@canaryship/env-istio@1.0.0@sha1:${commit}`,
      'org.opencontainers.image.source': 'https://github.com/canaryship/canaryship',
      'org.opencontainers.image.version': '1.0.0',
    });
    const copy = mkdtempSync(join(tmpdir(), 'canaryship-oras-'));
    execFileSync(await tool('oras'), ['copy', '--from-plain-http', result.reference, '--to-oci-layout', `${copy}:1.0.0`], { stdio: 'ignore' });
    const index = JSON.parse(readFileSync(join(copy, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(result.digest);
  });

  it('publishes into the local layout without a registry, and a later --registry run pushes from it', async () => {
    const packageDir = environmentPackage('kubernetes', '2.0.0');
    const layout = layoutRoot();
    const offline = await publish({ packageDir, layoutRoot: layout });
    expect(offline.reference).toBe(`oci:${layout}/webapp/kubernetes:2.0.0`);
    const fromLayout = JSON.parse(execFileSync(await tool('oras'), ['manifest', 'fetch', '--oci-layout', `${layout}/webapp/kubernetes:2.0.0`], { encoding: 'utf8' }));
    expect(fromLayout.layers[0].digest).toBe(offline.layerDigest);
    const pushed = await publish({ packageDir, layoutRoot: layout, registry: local(registry.host) });
    expect(pushed.layout.status).toBe('unchanged');
    expect(pushed.digest).toBe(offline.digest);
    expect((await orasManifest(pushed.reference)).layers[0].digest).toBe(offline.layerDigest);
  });

  it('treats a version as immutable: same content uploads nothing, other content is refused with the reason', async () => {
    const packageDir = environmentPackage('linkerd', '3.0.0');
    const first = await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(proxy.host) });
    proxy.requests.length = 0;
    const again = await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(proxy.host) });
    expect(again.registry).toMatchObject({ status: 'unchanged', uploaded: 0 });
    expect(proxy.requests.filter((r) => !r.startsWith('GET') && !r.startsWith('HEAD'))).toEqual([]);

    appendFileSync(join(packageDir, 'dist/frontend/configmap.yaml'), '# a change\n');
    const stderr = captured();
    const code = await main(['publish', packageDir, '--registry', registry.host, '--insecure', '--layout', layoutRoot()], { cwd: packageDir, stdout: captured(), stderr });
    expect(code).toBe(1);
    expect(stderr.text()).toMatch(/already holds sha256:[0-9a-f]{64}, not sha256:[0-9a-f]{64}: the distribution differs/);
    expect(stderr.text()).toContain('bump the version');
    await expect(publish({ packageDir, layoutRoot: layoutRoot(), registry: local(registry.host) })).rejects.toThrow(ImmutableVersionError);
    expect((await orasManifest(`${registry.host}/webapp/linkerd:3.0.0`)).layers[0].digest).toBe(first.layerDigest);
  });

  it('names the real cause when the same distribution comes from another release commit (a rewritten history)', async () => {
    const packageDir = environmentPackage('istio', '3.1.0');
    await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(registry.host) });
    // The same files, committed again: another release commit, so another revision.
    gitIn(packageDir, 'commit', '--quiet', '--amend', '-m', 'reworded release');
    const error = await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(registry.host) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImmutableVersionError);
    expect((error as Error).message).toContain('the distribution is the same, but the release metadata differs (revision');
  });

  it('moves latest to the highest release only', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'canaryship-latest-'));
    const publishVersion = async (version: string) => {
      const dir = environmentPackage('istio', version, join(workspace, version));
      appendFileSync(join(dir, 'dist/namespace.yaml'), `# ${version}\n`);
      return publish({ packageDir: dir, layoutRoot: layoutRoot(), registry: local(`${registry.host}/latest-test`) });
    };
    const v2 = await publishVersion('2.0.0');
    expect((await publishVersion('1.5.0')).registry?.latest).toBe(false);
    expect((await publishVersion('2.1.0-rc.1')).registry?.latest).toBe(false);
    expect((await orasManifest(`${registry.host}/latest-test/webapp/istio:latest`)).layers[0].digest).toBe(v2.layerDigest);
    const v21 = await publishVersion('2.1.0');
    expect(v21.registry?.latest).toBe(true);
    expect((await orasManifest(`${registry.host}/latest-test/webapp/istio:latest`)).layers[0].digest).toBe(v21.layerDigest);
  });
});

describe('faults', () => {
  it('retries a registry that answers 500 twice, then completes', async () => {
    const packageDir = environmentPackage('istio', '4.0.0');
    proxy.failNext(2);
    const progress: string[] = [];
    const result = await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(proxy.host), retry: quick, onProgress: (m) => progress.push(m) });
    expect(result.registry?.status).toBe('pushed');
    expect(progress.filter((m) => m.includes('retry'))).toHaveLength(2);
    expect((await orasManifest(`${registry.host}/webapp/istio:4.0.0`)).layers[0].digest).toBe(result.layerDigest);
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
    await expect(publish({ packageDir, layoutRoot: layoutRoot(), registry: local(proxy.host), retry: quick })).rejects.toThrow(RegistryError);
    await registry.start();
    const client = createRegistryClient({ address: local(registry.host), access: 'pull' });
    expect(await client.getManifest('webapp/kubernetes', '5.0.0')).toBeUndefined();

    const rerun = await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(proxy.host), retry: quick });
    expect(rerun.registry).toMatchObject({ status: 'pushed', uploaded: 1 });
    const copy = mkdtempSync(join(tmpdir(), 'canaryship-after-fault-'));
    execFileSync(await tool('oras'), ['copy', '--from-plain-http', `${registry.host}/webapp/kubernetes:5.0.0`, '--to-oci-layout', `${copy}:5.0.0`], { stdio: 'ignore' });
    expect(readdirSync(join(copy, 'blobs/sha256'))).toHaveLength(3);
  });

  it('a publish cut off after the version tag completes latest on the rerun', async () => {
    const packageDir = environmentPackage('linkerd', '5.1.0');
    appendFileSync(join(packageDir, 'dist/namespace.yaml'), '# 5.1.0\n');
    const repository = `${registry.host}/interrupted`;
    proxy.afterResponse(async (request) => {
      if (request.startsWith('PUT') && request.endsWith('/manifests/5.1.0')) {
        proxy.afterResponse(undefined);
        await registry.stop();
      }
    });
    await expect(publish({ packageDir, layoutRoot: layoutRoot(), registry: local(`${proxy.host}/interrupted`), retry: quick })).rejects.toThrow(RegistryError);
    await registry.start();
    const client = createRegistryClient({ address: local(registry.host), access: 'pull' });
    expect(await client.manifestDigest('interrupted/webapp/linkerd', 'latest')).toBeUndefined();
    const rerun = await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(`${proxy.host}/interrupted`), retry: quick });
    expect(rerun.registry).toMatchObject({ status: 'unchanged', uploaded: 0, latest: true });
    expect(sha256(Buffer.from(execFileSync(await tool('oras'), ['manifest', 'fetch', '--plain-http', `${repository}/webapp/linkerd:latest`])))).toBe(rerun.digest);
  });

  it('gives up on a registry that never answers, within the timeout, saying so', async () => {
    const silent = await startSilentServer();
    try {
      const packageDir = environmentPackage('istio', '5.2.0');
      const progress: string[] = [];
      const started = Date.now();
      const error = await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(silent.host), retry: { attempts: 2, baseDelayMs: 10 }, requestTimeoutMs: 500, onProgress: (m) => progress.push(m) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as Error).message).toBe(`GET manifest webapp/istio:5.2.0: no answer from ${silent.host} within 0.5 s`);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(progress).toContain('istio: GET manifest webapp/istio:5.2.0');
      expect(progress.some((m) => m.includes('retry 1/1'))).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it("reports the registry's own words for a refusal", async () => {
    const packageDir = environmentPackage('kubernetes', '5.3.0');
    appendFileSync(join(packageDir, 'dist/namespace.yaml'), '# 5.3.0\n');
    proxy.failNext(1, { status: 400, contentType: 'application/json', body: JSON.stringify({ errors: [{ code: 'NAME_INVALID', message: 'repository name not known to registry' }] }) });
    const error = await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(proxy.host) }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('GET manifest webapp/kubernetes:5.3.0: 400 Bad Request (NAME_INVALID: repository name not known to registry)');
  });
});

describe('a tampered local layout', () => {
  const layoutBlobs = (layout: string, env: string): string => join(layout, 'webapp', env, 'blobs/sha256');

  it('is never pushed: an edited blob is caught by its digest, and nothing reaches the registry', async () => {
    const packageDir = environmentPackage('istio', '6.0.0');
    appendFileSync(join(packageDir, 'dist/namespace.yaml'), '# 6.0.0\n');
    const layout = layoutRoot();
    const offline = await publish({ packageDir, layoutRoot: layout });
    const manifestBlob = join(layoutBlobs(layout, 'istio'), offline.digest.slice('sha256:'.length));
    writeFileSync(manifestBlob, readFileSync(manifestBlob, 'utf8').replace('"size":', '"size": '));
    const error = await publish({ packageDir, layoutRoot: layout, registry: local(registry.host) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toBe(`the local OCI layout ${layout}/webapp/istio is damaged: blob ${offline.digest} has ${readFileSync(manifestBlob).length} bytes, not ${readFileSync(manifestBlob).length - 1}`);
    expect((error as PublishError).hint).toBe(`remove ${layout}/webapp/istio; publish rebuilds it from dist/`);
    expect(await createRegistryClient({ address: local(registry.host), access: 'pull' }).getManifest('webapp/istio', '6.0.0')).toBeUndefined();
  });

  it('is never pushed: a layer swapped for another one is caught by its digest', async () => {
    const packageDir = environmentPackage('linkerd', '6.1.0');
    appendFileSync(join(packageDir, 'dist/namespace.yaml'), '# 6.1.0\n');
    const layout = layoutRoot();
    const offline = await publish({ packageDir, layoutRoot: layout });
    const layer = join(layoutBlobs(layout, 'linkerd'), offline.layerDigest.slice('sha256:'.length));
    const other = readFileSync(layer);
    other.writeUInt8(other.readUInt8(other.length - 1) ^ 0xff, other.length - 1);
    writeFileSync(layer, other);
    await expect(publish({ packageDir, layoutRoot: layout, registry: local(registry.host) })).rejects.toThrow(`blob ${offline.layerDigest} does not match its digest`);
    expect(await createRegistryClient({ address: local(registry.host), access: 'pull' }).getManifest('webapp/linkerd', '6.1.0')).toBeUndefined();
  });
});

describe('two publishes of one version at once', () => {
  it('with other content: exactly one succeeds, the other fails loudly, and the tag holds the winner', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'canaryship-race-'));
    const [a, b] = ['a', 'b'].map((side) => {
      const dir = environmentPackage('kubernetes', '7.0.0', join(workspace, side));
      appendFileSync(join(dir, 'dist/namespace.yaml'), `# side ${side}\n`);
      return dir;
    });
    // Both see no tag, then both write it: held until both PUTs arrive, written a then b, then both
    // answered: each reads the tag back after both writes, whatever the machine's load.
    proxy.holdUntil((request) => request.startsWith('PUT') && request.endsWith('/manifests/7.0.0'), 2);
    const results = await Promise.allSettled([a!, b!].map((packageDir) => publish({ packageDir, layoutRoot: layoutRoot(), registry: local(`${proxy.host}/race`) })));
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof publish>>> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0]!.reason as PublishError).code).toBe('publish.concurrent');
    expect((lost[0]!.reason as Error).message).toContain('another publish of this version won');
    const held = await createRegistryClient({ address: local(registry.host), access: 'pull' }).manifestDigest('race/webapp/kubernetes', '7.0.0');
    expect(held).toBe(won[0]!.value.digest);
    expect((won[0]!.value.registry as PushResult).digest).toBe(held);
  });
});

describe("Flux's OCI client", () => {
  it('pulls our artifact by tag and by semver range and extracts exactly the distribution', async () => {
    const fluxOci = await tool('flux-oci');
    const workspace = mkdtempSync(join(tmpdir(), 'canaryship-flux-'));
    for (const version of ['6.0.0', '6.1.0', '7.0.0']) {
      const dir = environmentPackage('linkerd', version, join(workspace, version));
      if (version !== '6.1.0') appendFileSync(join(dir, 'dist/namespace.yaml'), `# ${version}\n`);
      await publish({ packageDir: dir, layoutRoot: layoutRoot(), registry: local(`${registry.host}/flux`) });
    }
    const byTag = mkdtempSync(join(tmpdir(), 'canaryship-pull-tag-'));
    const tagged = JSON.parse(execFileSync(fluxOci, ['pull', '-insecure', `oci://${registry.host}/flux/webapp/linkerd:6.1.0`, byTag], { encoding: 'utf8' }));
    expect(tagged.revision).toBe(`@canaryship/env-linkerd@6.1.0@sha1:${gitIn(join(workspace, '6.1.0'), 'rev-parse', 'HEAD')}`);
    expect(treeDigest(byTag)).toEqual(treeDigest(distDir('linkerd')));

    const byRange = mkdtempSync(join(tmpdir(), 'canaryship-pull-semver-'));
    const ranged = JSON.parse(execFileSync(fluxOci, ['pull', '-insecure', '-semver', '>=6.0.0 <7.0.0', `oci://${registry.host}/flux/webapp/linkerd`, byRange], { encoding: 'utf8' }));
    expect(ranged.tag).toBe('6.1.0');
    expect(treeDigest(byRange)).toEqual(treeDigest(distDir('linkerd')));
  });

  it("pulls the provider bundle published beside a release, and from it alone (kustomize, Flux's client) reaches that release", async () => {
    // This repository's own package (the bundle is rendered from its definition), at its version.
    const version = (JSON.parse(readFileSync(join(ROOT, 'environments/kubernetes/package.json'), 'utf8')) as { version: string }).version;
    const workflow = 'https://github.com/acme/webapp/.github/workflows/release.yml';
    const args = ['publish', 'environments/kubernetes', '--registry', `${registry.host}/bundled`, '--insecure', '--bundle', '--signed-by', workflow, '--layout', layoutRoot(), '--json'];
    const stdout = captured();
    const stderr = captured();
    expect(await main(args, { cwd: ROOT, stdout, stderr }), stderr.text()).toBe(0);
    const [published] = (JSON.parse(stdout.text()) as { artifacts: { reference: string; digest: string; bundle: { reference: string; digest: string; registry: PushResult } }[] }).artifacts;
    expect(published!.bundle.reference).toBe(`${registry.host}/bundled/webapp/kubernetes/bundle:${version}`);
    expect(published!.bundle.registry.status).toBe('pushed');

    // The provider's side: Flux's client pulls the bundle; their overlay lists it and a customisation.
    const overlay = mkdtempSync(join(tmpdir(), 'canaryship-provider-overlay-'));
    const pulled = JSON.parse(execFileSync(await tool('flux-oci'), ['pull', '-insecure', `oci://${published!.bundle.reference}`, join(overlay, 'subscription')], { encoding: 'utf8' }));
    // Flux's client names what it pulled by repository and digest.
    const byDigest = (a: { reference: string; digest: string }): string => `${a.reference.replace(/:[^:/]+$/, '')}@${a.digest}`;
    expect(pulled.digest).toBe(byDigest(published!.bundle));
    writeFileSync(join(overlay, 'kustomization.yaml'), 'resources: [subscription]\ncomponents: [subscription/customise/manual-approval]\n');
    const objects = parseAllDocuments(execFileSync(await tool('kustomize'), ['build', overlay], { encoding: 'utf8' })).map((d) => d.toJS() as Record<string, any>);
    const source = objects.find((o) => o.kind === 'OCIRepository' && o.metadata.name === 'webapp')!;
    expect(source.spec).toMatchObject({ url: `oci://${registry.host}/bundled/webapp/kubernetes`, insecure: true, ref: { semver: compatibleRange(version) } });
    expect(new RegExp(source.spec.verify.matchOIDCIdentity[0].subject).test(`${workflow}@refs/heads/main`)).toBe(true);
    expect(objects.find((o) => o.kind === 'Kustomization' && o.metadata.name === 'webapp')!.spec.patches).toHaveLength(1);
    // What that OCIRepository resolves to is the release: Flux's client, with its URL and range.
    const release = mkdtempSync(join(tmpdir(), 'canaryship-provider-release-'));
    const followed = JSON.parse(execFileSync(await tool('flux-oci'), ['pull', '-insecure', '-semver', source.spec.ref.semver, source.spec.url, release], { encoding: 'utf8' }));
    expect([followed.tag, followed.digest]).toEqual([version, byDigest(published!)]);
    expect(treeDigest(release)).toEqual(treeDigest(distDir('kubernetes')));

    // Published again: the same bytes, so nothing is uploaded.
    const again = captured();
    expect(await main(args, { cwd: ROOT, stdout: again, stderr: captured() })).toBe(0);
    const [republished] = (JSON.parse(again.text()) as { artifacts: { bundle: { digest: string; registry: PushResult } }[] }).artifacts;
    expect([republished!.bundle.digest, republished!.bundle.registry.status]).toEqual([published!.bundle.digest, 'unchanged']);
  });

  it('publishes nothing when the version already holds another provider bundle (rendered for another registry or signature)', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'environments/kubernetes/package.json'), 'utf8')) as { version: string }).version;
    // Something else at the bundle's tag; the release's own tag free.
    const client = createRegistryClient({ address: local(`${registry.host}/clash`), access: 'push' });
    const blob = (mediaType: string, data: Buffer) => ({ mediaType, digest: sha256(data), size: data.length, data });
    const config = blob('application/vnd.oci.image.config.v1+json', Buffer.from('{}'));
    await client.uploadBlob('clash/webapp/kubernetes/bundle', config);
    const { data: _, ...configDescriptor } = config;
    await client.putManifest('clash/webapp/kubernetes/bundle', version, blob('application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDescriptor, layers: [] }))));
    const stderr = captured();
    const code = await main(['publish', 'environments/kubernetes', '--registry', `${registry.host}/clash`, '--insecure', '--bundle', '--layout', layoutRoot()], { cwd: ROOT, stdout: captured(), stderr });
    expect(code).toBe(1);
    expect(stderr.text()).toContain(`${registry.host}/clash/webapp/kubernetes/bundle:${version} already holds the provider bundle sha256:`);
    expect(await client.manifestDigest('clash/webapp/kubernetes', version)).toBeUndefined();
  });

  it("cannot tell an unchanged artifact from a changed one (flux diff artifact re-archives with Go's gzip): canaryship diff can", async () => {
    const packageDir = environmentPackage('istio', '8.5.0');
    await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(`${registry.host}/fluxdiff`) });
    const reference = `${registry.host}/fluxdiff/webapp/istio:8.5.0`;
    const flux = JSON.parse(execFileSync(await tool('flux-oci'), ['diff', '-insecure', `oci://${reference}`, join(packageDir, 'dist')], { encoding: 'utf8' }));
    expect(flux).toEqual({ differs: true, message: 'the remote artifact contents differs from the local one' });
    const stdout = captured();
    expect(await main(['diff', packageDir, '--version', '8.5.0', '--registry', `${registry.host}/fluxdiff`, '--insecure'], { cwd: packageDir, stdout, stderr: captured() })).toBe(0);
    expect(stdout.text()).toBe(`unchanged: ${reference}\n`);
  });

  it('names a version the registry does not hold, and one that holds something other than our artifact', async () => {
    const packageDir = environmentPackage('istio', '8.6.0');
    const diff = async (): Promise<string> => {
      const stderr = captured();
      expect(await main(['diff', packageDir, '--version', '8.6.0', '--registry', `${registry.host}/foreign`, '--insecure'], { cwd: packageDir, stdout: captured(), stderr })).toBe(2);
      return stderr.text();
    };
    const reference = `${registry.host}/foreign/webapp/istio:8.6.0`;
    expect(await diff()).toContain(`error: ${reference} is not published\n  check --version and --registry\n`);
    // An OCI image with no layer at that tag: another tool's, not a distribution.
    const client = createRegistryClient({ address: local(`${registry.host}/foreign`), access: 'push' });
    const blob = (mediaType: string, data: Buffer) => ({ mediaType, digest: sha256(data), size: data.length, data });
    const config = blob('application/vnd.oci.image.config.v1+json', Buffer.from('{}'));
    await client.uploadBlob('foreign/webapp/istio', config);
    const { data: _, ...configDescriptor } = config;
    await client.putManifest('foreign/webapp/istio', '8.6.0', blob('application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDescriptor, layers: [] }))));
    expect(await diff()).toContain(`error: ${reference} is not a canaryship artifact: its config is not a blob of type application/vnd.cncf.flux.config.v1+json\n`);
  });
});

describe('registry authentication', () => {
  it('answers a Basic challenge with credentials from the environment or the Docker config file, and fails clearly without', async () => {
    const secured = await startRegistry({ basicAuth: { username: 'ci', password: 's3cret' } });
    try {
      const packageDir = environmentPackage('istio', '8.0.0');
      const noCredentials = { ...process.env, CANARYSHIP_REGISTRY_USERNAME: '', CANARYSHIP_REGISTRY_PASSWORD: '', DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'canaryship-nocreds-')) };
      await expect(publish({ packageDir, layoutRoot: layoutRoot(), registry: local(secured.host), env: noCredentials })).rejects.toThrow(/wants credentials/);

      const fromEnv = await publish({ packageDir, layoutRoot: layoutRoot(), registry: local(secured.host), env: { ...process.env, CANARYSHIP_REGISTRY_USERNAME: 'ci', CANARYSHIP_REGISTRY_PASSWORD: 's3cret' } });
      expect(fromEnv.registry?.status).toBe('pushed');

      const dockerConfig = mkdtempSync(join(tmpdir(), 'canaryship-docker-'));
      writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [secured.host]: { auth: Buffer.from('ci:s3cret').toString('base64') } } }));
      const other = environmentPackage('linkerd', '8.0.0');
      const fromFile = await publish({ packageDir: other, layoutRoot: layoutRoot(), registry: local(secured.host), env: { ...process.env, DOCKER_CONFIG: dockerConfig } });
      expect(fromFile.registry?.status).toBe('pushed');
      const wrong = await publish({ packageDir: other, layoutRoot: layoutRoot(), registry: local(secured.host), env: { ...process.env, CANARYSHIP_REGISTRY_USERNAME: 'ci', CANARYSHIP_REGISTRY_PASSWORD: 'nope' } }).catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(RegistryError);
      expect((wrong as RegistryError).message).toBe('GET manifest webapp/linkerd:8.0.0: 401 Unauthorized (UNAUTHORIZED: authentication required)');
      expect((wrong as RegistryError).hint).toBe(`check the credentials for ${secured.host} and their rights on webapp/linkerd`);
    } finally {
      await secured.dispose();
    }
  });

  it('never prints a secret: credentials inside --registry are refused unrepeated, and no output carries a password', async () => {
    const packageDir = environmentPackage('kubernetes', '8.1.0');
    for (const registryArg of [`ci:s3cret@${registry.host}`, `https://ci:s3cret@${registry.host}/acme`, `oci://ci:s3cret@${registry.host}`]) {
      const stdout = captured();
      const stderr = captured();
      expect(await main(['publish', packageDir, '--registry', registryArg], { cwd: packageDir, stdout, stderr })).toBe(2);
      expect(stderr.text()).toContain('--registry must not carry credentials');
      expect(stdout.text() + stderr.text()).not.toContain('s3cret');
    }
    const secured = await startRegistry({ basicAuth: { username: 'ci', password: 's3cret' } });
    try {
      const stdout = captured();
      const stderr = captured();
      const previous = { user: process.env['CANARYSHIP_REGISTRY_USERNAME'], password: process.env['CANARYSHIP_REGISTRY_PASSWORD'] };
      process.env['CANARYSHIP_REGISTRY_USERNAME'] = 'ci';
      process.env['CANARYSHIP_REGISTRY_PASSWORD'] = 'wrong-s3cret';
      try {
        expect(await main(['publish', packageDir, '--registry', secured.host, '--insecure', '--json', '--layout', layoutRoot()], { cwd: packageDir, stdout, stderr })).toBe(1);
      } finally {
        process.env['CANARYSHIP_REGISTRY_USERNAME'] = previous.user ?? '';
        process.env['CANARYSHIP_REGISTRY_PASSWORD'] = previous.password ?? '';
      }
      expect(stderr.text()).toContain('check the credentials');
      expect(stdout.text() + stderr.text()).not.toContain('s3cret');
    } finally {
      await secured.dispose();
    }
  });
});
