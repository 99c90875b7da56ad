import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildArtifact, parseManifest, sha256, type ArtifactMetadata } from './artifact.js';
import { ANNOTATIONS, MEDIA_TYPES } from './media-types.js';

const METADATA: ArtifactMetadata = {
  created: '2026-01-02T03:04:05Z',
  source: 'https://example.com/vendor/app',
  revision: '0.1.0@sha1:0123456789abcdef0123456789abcdef01234567',
  version: '0.1.0',
};

function distribution(): string {
  const dir = mkdtempSync(join(tmpdir(), 'canaryship-artifact-'));
  mkdirSync(join(dir, 'frontend'));
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [frontend]\n');
  writeFileSync(join(dir, 'frontend/deployment.yaml'), 'kind: Deployment\n');
  return dir;
}

const json = (data: Buffer): Record<string, unknown> => JSON.parse(data.toString('utf8')) as Record<string, unknown>;

describe('buildArtifact', () => {
  it('gives these digests for this tree, on any machine, at any time: a changed gzip, tar or JSON byte shows here', async () => {
    const artifact = await buildArtifact(distribution(), METADATA);
    expect({ layer: artifact.layer.digest, config: artifact.config.digest, manifest: artifact.manifest.digest }).toEqual({
      layer: 'sha256:e824caf47396e8fd0ea3e67863074c060a95208a9b60f4194cb02d04948a289f',
      config: 'sha256:819e0dd458db8dd0020070a0872d31b5e840f817271d7c790550072ef2c5e65a',
      manifest: 'sha256:d99ceb986b8f66d928b74b4d1507603532d1d6dbb3f93564767e64b2ecf28261',
    });
  });

  it('writes the manifest Flux reads: one layer, a config, the four annotations, descriptors that match the bytes', async () => {
    const artifact = await buildArtifact(distribution(), METADATA);
    for (const blob of [artifact.manifest, artifact.config, artifact.layer]) expect([blob.digest, blob.size]).toEqual([sha256(blob.data), blob.data.length]);
    expect(json(artifact.manifest.data)).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: { mediaType: MEDIA_TYPES.config, digest: artifact.config.digest, size: artifact.config.size },
      layers: [{ mediaType: MEDIA_TYPES.content, digest: artifact.layer.digest, size: artifact.layer.size }],
      annotations: {
        [ANNOTATIONS.created]: METADATA.created,
        [ANNOTATIONS.revision]: METADATA.revision,
        [ANNOTATIONS.source]: METADATA.source,
        [ANNOTATIONS.version]: METADATA.version,
      },
    });
    expect(artifact.annotations[ANNOTATIONS.revision]).toBe(METADATA.revision);
  });

  it('shapes the config like an image config whose one diff id is the uncompressed layer', async () => {
    const artifact = await buildArtifact(distribution(), METADATA);
    expect(json(artifact.config.data)).toEqual({
      architecture: '',
      created: METADATA.created,
      os: '',
      rootfs: { type: 'layers', diff_ids: [sha256(gunzipSync(artifact.layer.data))] },
      config: {},
    });
  });

  it('gives the same digest for the same tree and metadata, another for another release time', async () => {
    const [a, b] = [await buildArtifact(distribution(), METADATA), await buildArtifact(distribution(), METADATA)];
    expect(a.manifest.digest).toBe(b.manifest.digest);
    const later = await buildArtifact(distribution(), { ...METADATA, created: '2026-01-02T03:04:06Z' });
    expect(later.layer.digest).toBe(a.layer.digest);
    expect(later.manifest.digest).not.toBe(a.manifest.digest);
  });
});

describe('parseManifest', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const valid = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: MEDIA_TYPES.config, digest, size: 0 },
    layers: [{ mediaType: MEDIA_TYPES.content, digest, size: 10 }],
    annotations: { [ANNOTATIONS.version]: '0.1.0' },
  };
  const parse = (manifest: unknown): unknown => parseManifest(Buffer.from(typeof manifest === 'string' ? manifest : JSON.stringify(manifest)));

  it('reads back what buildArtifact writes', async () => {
    const artifact = await buildArtifact(distribution(), METADATA);
    const parsed = parseManifest(artifact.manifest.data);
    expect(parsed.config.digest).toBe(artifact.config.digest);
    expect(parsed.layers.map((l) => l.digest)).toEqual([artifact.layer.digest]);
    expect(parsed.annotations).toEqual(artifact.annotations);
  });

  it('accepts an empty config and no annotations', () => {
    const { annotations: _, ...bare } = valid;
    expect(parse(bare)).toEqual({ config: valid.config, layers: valid.layers, annotations: {} });
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['JSON null', 'null', 'not an OCI image manifest (mediaType undefined)'],
    ['a Docker manifest', { ...valid, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }, 'not an OCI image manifest (mediaType "application/vnd.docker.distribution.manifest.v2+json")'],
    ['no config', { ...valid, config: undefined }, 'its config is not'],
    ['a config of another type', { ...valid, config: { ...valid.config, mediaType: 'application/json' } }, 'its config is not'],
    ['a config digest in capitals', { ...valid, config: { ...valid.config, digest: digest.toUpperCase() } }, 'its config is not'],
    ['a config digest with a prefix', { ...valid, config: { ...valid.config, digest: `x${digest}` } }, 'its config is not'],
    ['a config digest with a suffix', { ...valid, config: { ...valid.config, digest: `${digest}0` } }, 'its config is not'],
    ['a config digest that is not a string', { ...valid, config: { ...valid.config, digest: 1 } }, 'its config is not'],
    ['a negative size', { ...valid, config: { ...valid.config, size: -1 } }, 'its config is not'],
    ['a fractional size', { ...valid, config: { ...valid.config, size: 1.5 } }, 'its config is not'],
    ['no size', { ...valid, config: { mediaType: MEDIA_TYPES.config, digest } }, 'its config is not'],
    ['no layers', { ...valid, layers: [] }, 'it does not hold exactly one'],
    ['layers that are not a list', { ...valid, layers: valid.layers[0] }, 'it does not hold exactly one'],
    ['two layers', { ...valid, layers: [valid.layers[0], valid.layers[0]] }, 'it does not hold exactly one'],
    ['a layer of another type', { ...valid, layers: [{ ...valid.layers[0], mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }] }, 'it does not hold exactly one'],
    ['annotations that are a string', { ...valid, annotations: 'x' }, 'its annotations are not strings'],
    ['an annotation that is a number', { ...valid, annotations: { a: 'b', c: 1 } }, 'its annotations are not strings'],
  ])('refuses %s, saying what is off', (_, manifest, message) => {
    expect(() => parse(manifest)).toThrow(message);
  });
});
