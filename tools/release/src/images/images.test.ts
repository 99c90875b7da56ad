/**
 * The parts of pinning that need no registry: which fields name images, what a lock may hold, and
 * which manifests are container images. The registry round trip is test/release/images.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../oci/artifact.js';
import type { RegistryReader } from '../oci/registry.js';
import { formatLock, readLock } from './lock.js';
import { unpinnedImages } from './pin.js';
import { resolveImage } from './resolve.js';
import { imagesOf } from './usage.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const files = (...docs: string[]): Map<string, Buffer> => new Map(docs.map((doc, i) => [`f${i}.yaml`, Buffer.from(doc)]));

describe('the images a distribution names', () => {
  it('reads every container list of every kind that holds a pod template, and nothing else', () => {
    const uses = imagesOf(
      'istio',
      files(
        'kind: Deployment\nmetadata: {name: api, namespace: shop}\nspec: {template: {spec: {initContainers: [{image: "busybox:1.37"}], containers: [{image: "ghcr.io/acme/api:1.0.0"}, {name: sidecar}]}}}',
        'kind: CronJob\nmetadata: {name: nightly, namespace: shop}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{image: "ghcr.io/acme/batch:2.0.0"}]}}}}}',
        'kind: Pod\nmetadata: {name: debug, namespace: shop}\nspec: {ephemeralContainers: [{image: 42}]}',
        'kind: ConfigMap\nmetadata: {name: c}\ndata: {image: "ghcr.io/acme/not-a-container:1"}',
      ),
    );
    expect(uses.map((u) => [u.object, u.field, u.value, u.reference?.name])).toEqual([
      ['Deployment/shop/api', 'spec.template.spec.initContainers[0].image', 'busybox:1.37', 'busybox'],
      ['Deployment/shop/api', 'spec.template.spec.containers[0].image', 'ghcr.io/acme/api:1.0.0', 'ghcr.io/acme/api'],
      ['CronJob/shop/nightly', 'spec.jobTemplate.spec.template.spec.containers[0].image', 'ghcr.io/acme/batch:2.0.0', 'ghcr.io/acme/batch'],
      ['Pod/shop/debug', 'spec.ephemeralContainers[0].image', '42', undefined],
    ]);
    expect(uses[0]?.file).toBe('f0.yaml');
  });

  it('names what release refuses: by tag alone, no tag, or no reference at all', () => {
    const uses = imagesOf('kubernetes', files(`kind: Pod\nmetadata: {name: p, namespace: ns}\nspec: {containers: [{image: "a/b:1@${DIGEST}"}, {image: "a/b:1"}, {image: "a/b"}, {image: "A B"}, {image: "a/c@${DIGEST}"}]}`));
    expect(unpinnedImages(uses)).toEqual([
      'kubernetes: Pod/ns/p spec.containers[2].image: a/b has no tag; name a release (never latest)',
      'kubernetes: Pod/ns/p spec.containers[3].image: "A B" is not an image reference',
      'kubernetes: Pod/ns/p spec.containers[1].image: a/b:1 is not pinned to a digest',
    ]);
  });
});

describe('images.lock.json', () => {
  const lockFile = (text: string): string => {
    const path = join(mkdtempSync(join(tmpdir(), 'canaryship-lock-')), 'images.lock.json');
    writeFileSync(path, text);
    return path;
  };

  it('is empty when absent, and written sorted, one entry a line, so the same pins are the same bytes', async () => {
    expect(await readLock(join(mkdtempSync(join(tmpdir(), 'canaryship-lock-')), 'none.json'))).toEqual({});
    const text = formatLock({ 'z/app:1': DIGEST, 'a/app:2': DIGEST });
    expect(text).toBe(`{\n  "a/app:2": "${DIGEST}",\n  "z/app:1": "${DIGEST}"\n}\n`);
    expect(await readLock(lockFile(text))).toEqual({ 'a/app:2': DIGEST, 'z/app:1': DIGEST });
  });

  it('refuses a folder where the lock should be', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canaryship-lock-'));
    await expect(readLock(dir)).rejects.toThrow(`${dir} is not a file`);
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['a list', '[]', /must hold one object of "image:tag": "sha256:…"/],
    ['an entry without a tag', `{"a/app": "${DIGEST}"}`, /"a\/app" is not an image:tag/],
    ['an entry that is already pinned', `{"a/app:1@${DIGEST}": "${DIGEST}"}`, /is not an image:tag/],
    ['a digest of another algorithm', '{"a/app:1": "md5:abc"}', /a\/app:1: "md5:abc" is not a sha256 digest/],
    ['a digest that is not a string', '{"a/app:1": 7}', /a\/app:1: "7" is not a sha256 digest/],
    ['an image twice (JSON keeps the last)', `{\n  "a/app:1": "${DIGEST}",\n  "a/app:1": "sha256:${'b'.repeat(64)}"\n}\n`, /is not as pin-images writes it \(an image twice, or edited by hand\)/],
    ['a layout of its own', `{"a/app:1": "${DIGEST}"}`, /is not as pin-images writes it/],
    ['null', 'null', /must hold one object of "image:tag": "sha256:…"/],
    ['a digest with something after it', `{\n  "a/app:1": "${DIGEST}0"\n}\n`, /a\/app:1: "sha256:a+0" is not a sha256 digest/],
    ['a digest with something before it', `{\n  "a/app:1": "x${DIGEST}"\n}\n`, /a\/app:1: "xsha256:a+" is not a sha256 digest/],
    ['a file far larger than a lock', `{"a/app:1": "${DIGEST}", "pad": "${'x'.repeat(1024 * 1024)}"}`, /is \d+ bytes, more than a lock of 1048576 bytes holds/],
  ])('refuses %s, naming the file and the entry', async (_, text, message) => {
    const path = lockFile(text);
    const error = (await readLock(path).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(message);
    expect(error.message).toContain(path);
  });
});

describe('a tag resolved to a digest', () => {
  /** A registry that answers one manifest for every tag (or none). */
  const serving = (manifest: unknown): RegistryReader & { accepted: string[] } => {
    const accepted: string[] = [];
    const data = manifest === undefined ? undefined : Buffer.from(typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
    return {
      host: 'registry.test',
      accepted,
      getManifest: async (_repository, _reference, accept) => (accepted.push(accept ?? ''), data),
      manifestDigest: async () => undefined,
      hasBlob: async () => false,
      getBlob: async () => Buffer.alloc(0),
      listTags: async () => [],
    };
  };
  const image = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json' }, layers: [] };

  it.each([
    ['an OCI image', image],
    ['an OCI image that leaves its media type out', { ...image, mediaType: undefined }],
    ['a Docker image', { ...image, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json' } }],
    ['an OCI index', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ digest: DIGEST }] }],
    ['an OCI index that leaves its media type out', { schemaVersion: 2, manifests: [{ digest: DIGEST }] }],
    ['a Docker manifest list', { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [{ digest: DIGEST }] }],
  ])('is the digest of the bytes served for %s, asked for with every image media type', async (_, manifest) => {
    const registry = serving(manifest);
    expect(await resolveImage(registry, 'acme/app', '1.0.0')).toBe(sha256(Buffer.from(JSON.stringify(manifest))));
    expect(registry.accepted[0]?.split(', ').sort()).toEqual([
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
    ]);
  });

  it.each([
    ['no such tag', undefined, 'registry.test has no tag 1.0.0 in acme/app'],
    ['not JSON', 'not json', 'the registry answered a manifest that is not JSON'],
    ['a Helm chart', { ...image, config: { mediaType: 'application/vnd.cncf.helm.config.v1+json' } }, 'it is an artifact (config application/vnd.cncf.helm.config.v1+json), not a container image'],
    ['an index of nothing', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }, 'its index lists no image'],
    ['another media type', { mediaType: 'application/vnd.example+json' }, 'it names application/vnd.example+json, not a container image'],
    ['a manifest without a config', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] }, 'it is an artifact (config undefined), not a container image'],
  ])('is refused for %s', async (_, manifest, message) => {
    await expect(resolveImage(serving(manifest), 'acme/app', '1.0.0')).rejects.toThrow(message);
  });
});
