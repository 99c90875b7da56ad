/**
 * Images by digest: `pin-images` resolves each image the rendered distributions run, at a real
 * registry (CNCF distribution) holding multi-platform images pushed by oras, to the digest oras
 * resolves for the same tag; render reads the lock; a tag no registry has, or a tag that names
 * something other than an image, fails the run naming where it is used, and the lock stays as it was.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageRef } from '@canaryship/blocks';
import { freePort } from '@canaryship/cluster';
import { formatLock, imagesOf, imageUses, LOCK_FILE, missingImages, parseImageReference, parseRegistryAddress, pinImages, unpinnedImages, type ImageUse, type RegistryAddress } from '@canaryship/release';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestArtifact, pushTestImage } from '../support/images.js';
import { distDir, ENVIRONMENT_NAMES, ROOT } from '../support/distribution.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const packageDirs = ENVIRONMENT_NAMES.map((env) => join(ROOT, 'environments', env));
let registry: TestRegistry;
let uses: ImageUse[];
/** name:tag → the digest oras resolves for it at the test registry. */
const expected = new Map<string, string>();
/** Every registry the distributions name, asked at the test registry (under `prefix`). */
const mirrorsTo = (prefix = ''): Map<string, RegistryAddress> =>
  new Map([...new Set(uses.map((u) => u.reference!.registry))].map((r) => [r, parseRegistryAddress(`${registry.host}${prefix && `/${prefix}`}`, { insecure: true })]));
const scratchRoot = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'canaryship-pin-'));
  mkdirSync(join(root, LOCK_FILE, '..'), { recursive: true });
  return root;
};

beforeAll(async () => {
  registry = await startRegistry();
  uses = await imageUses(packageDirs);
  for (const use of uses) {
    const key = `${use.reference!.name}:${use.reference!.tag}`;
    if (!expected.has(key)) expected.set(key, await pushTestImage(registry.host, use.reference!.repository, use.reference!.tag!));
  }
}, 120_000);
afterAll(async () => registry?.dispose());

describe('canaryship pin-images', () => {
  it('finds every container of every distribution, each by object and field', () => {
    const podinfo = uses.filter((u) => u.value.includes('/podinfo:'));
    expect(podinfo.length).toBeGreaterThanOrEqual(3);
    expect(podinfo.every((u) => /^Deployment\/[a-z0-9-]+\/[a-z0-9-]+$/.test(u.object) && u.field === 'spec.template.spec.containers[0].image')).toBe(true);
    // Rendered from this repository's lock: by tag where it holds no digest yet, which release refuses.
    expect(unpinnedImages(uses).length).toBe(uses.filter((u) => !u.reference?.digest).length);
  });

  it('resolves each image the distributions run to the digest oras resolves, writes the lock, and render reads it', async () => {
    const root = scratchRoot();
    const result = await pinImages({ root, packageDirs, everyEnvironment: true, mirrors: mirrorsTo() });
    const lock = JSON.parse(readFileSync(join(root, LOCK_FILE), 'utf8')) as Record<string, string>;
    expect(lock).toEqual(Object.fromEntries(expected));
    expect(Object.keys(lock)).toEqual([...expected.keys()].sort());
    expect(result.images.map((i) => [i.image, i.status])).toEqual([...expected.keys()].sort().map((image) => [image, 'added']));
    for (const image of result.images) expect(image.usedBy.length).toBeGreaterThan(0);
    // What render writes with this lock: the tag a reader recognises, the digest the kubelet checks.
    for (const [key, digest] of Object.entries(lock)) {
      const [name = '', tag = ''] = [key.slice(0, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)];
      expect(imageRef(name, tag, lock)).toBe(`${name}:${tag}@${digest}`);
    }
    // A second run asks again and finds the same: nothing written (the file is not touched).
    const modified = statSync(join(root, LOCK_FILE)).mtimeMs;
    const progress: string[] = [];
    const again = await pinImages({ root, packageDirs, everyEnvironment: true, mirrors: mirrorsTo(), onProgress: (line) => progress.push(line) });
    expect({ written: again.written, statuses: [...new Set(again.images.map((i) => i.status))] }).toEqual({ written: false, statuses: ['unchanged'] });
    expect(statSync(join(root, LOCK_FILE)).mtimeMs).toBe(modified);
    expect(progress.some((line) => line.startsWith('GET manifest '))).toBe(true);

    // A tag that now names other content than the lock holds: moved, the old digest said.
    const [first = ''] = Object.keys(lock);
    const old = `sha256:${'9'.repeat(64)}`;
    writeFileSync(join(root, LOCK_FILE), formatLock({ ...lock, [first]: old }));
    const moved = await pinImages({ root, packageDirs, everyEnvironment: true, mirrors: mirrorsTo() });
    expect(moved.images.find((i) => i.image === first)).toMatchObject({ status: 'moved', previous: old, digest: lock[first] });
    expect(moved.written).toBe(true);
  });

  it('finds the pinned images their registry no longer serves, naming each and where it runs', async () => {
    const [image = '', digest = ''] = [...expected][0]!;
    const [name, tag] = [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)];
    const gone = `sha256:${'0'.repeat(64)}`;
    const pod = `kind: Pod\nmetadata: {name: p, namespace: ns}\nspec: {containers: [{image: "${name}:${tag}@${digest}"}, {image: "${name}:${tag}@${gone}"}, {image: "${name}:${tag}@${gone}"}]}`;
    const pinnedUses = imagesOf('istio', new Map([['pod.yaml', Buffer.from(pod)]]));
    expect(await missingImages(pinnedUses, { mirrors: mirrorsTo() })).toEqual([
      `${name}:${tag}@${gone} (istio: Pod/ns/p spec.containers[1].image; istio: Pod/ns/p spec.containers[2].image): ${registry.host} does not have it in ${parseImageReference(name + ':1')!.repository}`,
    ]);
  });

  it("pinning some environments keeps the others' entries; pinning every one drops what none runs", async () => {
    const root = scratchRoot();
    const other = `ghcr.io/acme/other:2.0.0`;
    writeFileSync(join(root, LOCK_FILE), `{\n  "${other}": "sha256:${'2'.repeat(64)}"\n}\n`);
    const some = await pinImages({ root, packageDirs: packageDirs.slice(0, 1), everyEnvironment: false, mirrors: mirrorsTo() });
    expect(some.dropped).toEqual([]);
    expect(Object.keys(JSON.parse(readFileSync(join(root, LOCK_FILE), 'utf8')) as object)).toContain(other);
    const every = await pinImages({ root, packageDirs, everyEnvironment: true, mirrors: mirrorsTo() });
    expect(every.dropped).toEqual([other]);
    expect(Object.keys(JSON.parse(readFileSync(join(root, LOCK_FILE), 'utf8')) as object)).not.toContain(other);
  });

  it("a mistyped tag fails the run naming the tag, environment, object and field; the lock is left as it was", async () => {
    const root = scratchRoot();
    const before = '{\n  "ghcr.io/acme/kept:1.0.0": "sha256:' + '1'.repeat(64) + '"\n}\n';
    writeFileSync(join(root, LOCK_FILE), before);
    // A service team's release of istio whose podinfo tag has two digits swapped.
    const istio = join(root, 'environments', 'istio');
    cpSync(join(ROOT, 'environments/istio/package.json'), join(istio, 'package.json'));
    cpSync(distDir('istio'), join(istio, 'dist'), { recursive: true });
    const podinfo = uses.find((u) => u.environment === 'istio' && u.value.includes('/podinfo:'))!;
    const file = join(istio, 'dist', podinfo.file);
    const tag = podinfo.reference!.tag!;
    const typo = tag.split('.').map((part, i) => (i === 1 ? [...part].reverse().join('') + '9' : part)).join('.');
    writeFileSync(file, readFileSync(file, 'utf8').replace(`podinfo:${tag}`, `podinfo:${typo}`));

    const failure = await pinImages({ root, packageDirs: [istio], everyEnvironment: false, mirrors: mirrorsTo() }).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(`${podinfo.reference!.name}:${typo} (istio: ${podinfo.object} ${podinfo.field}): ${registry.host} has no tag ${typo} in ${podinfo.reference!.repository}`);
    expect(readFileSync(join(root, LOCK_FILE), 'utf8')).toBe(before);
  });

  it("sends an image's registry only the credentials the Docker config holds for it, never the publishing registry's variables", async () => {
    const seen: string[] = [];
    const mirrorUser = `Basic ${Buffer.from('mirror-user:mirror-pass').toString('base64')}`;
    // A registry that wants Basic credentials, and has no tag once it gets the right ones.
    const server = createServer((request, response) => {
      seen.push(request.headers.authorization ?? '');
      if (request.headers.authorization === mirrorUser) response.writeHead(404).end();
      else response.writeHead(401, { 'www-authenticate': 'Basic realm="mirror"' }).end();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const mirrors = new Map([...new Set(uses.map((u) => u.reference!.registry))].map((r) => [r, parseRegistryAddress(`127.0.0.1:${port}`, { insecure: true })]));
      const publishing = { CANARYSHIP_REGISTRY_USERNAME: 'ci', CANARYSHIP_REGISTRY_PASSWORD: 'publish-token' };
      const anonymous = (await pinImages({ root: scratchRoot(), packageDirs, everyEnvironment: true, mirrors, env: { ...publishing, DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'canaryship-docker-')) } }).catch((e: Error) => e)) as Error;
      expect(anonymous.message).toContain(`127.0.0.1:${port} wants credentials`);
      expect(seen.some((h) => Buffer.from(h.replace(/^Basic /, ''), 'base64').toString().includes('publish-token'))).toBe(false);

      const config = mkdtempSync(join(tmpdir(), 'canaryship-docker-'));
      writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [`127.0.0.1:${port}`]: { username: 'mirror-user', password: 'mirror-pass' } } }));
      const logged = (await pinImages({ root: scratchRoot(), packageDirs, everyEnvironment: true, mirrors, env: { ...publishing, DOCKER_CONFIG: config } }).catch((e: Error) => e)) as Error;
      expect(logged.message).toContain(`has no tag`);
      expect(seen).toContain(mirrorUser);
    } finally {
      server.close();
    }
  });

  it('refuses a tag that names an artifact rather than an image, and a registry that holds none of them', async () => {
    const podinfo = uses.find((u) => u.value.includes('/podinfo:'))!;
    await pushTestArtifact(registry.host, `artifacts/${podinfo.reference!.repository}`, podinfo.reference!.tag!);
    const root = scratchRoot();
    const failure = (await pinImages({ root, packageDirs, everyEnvironment: true, mirrors: mirrorsTo('artifacts') }).catch((error: Error) => error)) as Error;
    expect(failure.message).toContain(`${podinfo.reference!.name}:${podinfo.reference!.tag} (`);
    expect(failure.message).toMatch(/is an artifact \(config application\/vnd\.cncf\.flux\.config\.v1\+json\), not a container image/);
    // Every other image is missing at that mirror: each named, in one run.
    expect(failure.message).toContain(`cannot pin ${expected.size} images`);
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
  });
});
