import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArtifact, parseManifest, sha256, type Artifact } from './artifact.js';
import { ImmutableVersionError, readBlob, readFromLayout, readIndex, tagDigest, writeToLayout } from './layout.js';
import { ANNOTATIONS, MEDIA_TYPES } from './media-types.js';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'canaryship-layout-'));
const metadata = { created: '2026-01-01T00:00:00Z', source: 'https://example.com/repo', revision: 'env@1.0.0@sha1:abc', version: '1.0.0' };

async function artifactOf(content: string): Promise<Artifact> {
  const dist = scratch();
  writeFileSync(join(dist, 'kustomization.yaml'), content);
  return buildArtifact(dist, metadata);
}
const blobFile = (root: string, digest: string): string => join(root, 'blobs', ...digest.split(':'));
const damaged = (root: string, what: string) => ({ code: 'layout.corrupt', message: `the local OCI layout ${root} is damaged: ${what}`, hint: `remove ${root}; publish rebuilds it from dist/` });

describe('the local OCI layout', () => {
  it('stores an artifact under its tag and gives it back, verified, byte for byte', async () => {
    const root = scratch();
    const artifact = await artifactOf('a: 1\n');
    expect(await writeToLayout(root, artifact, '1.0.0')).toBe('written');
    expect(JSON.parse(readFileSync(join(root, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const back = await readFromLayout(root, '1.0.0');
    expect(back?.manifest.data.equals(artifact.manifest.data)).toBe(true);
    expect(back?.layer.data.equals(artifact.layer.data)).toBe(true);
    expect(back?.config.data.equals(artifact.config.data)).toBe(true);
    expect(back?.annotations).toEqual(artifact.annotations);
    expect(await readFromLayout(root, '9.9.9')).toBeUndefined();
    expect(existsSync(join(root, 'index.json.lock'))).toBe(false);
  });

  it('keeps one entry per tag, sorted, several tags sharing blobs; the same content again is unchanged', async () => {
    const root = scratch();
    const artifact = await artifactOf('a: 1\n');
    await writeToLayout(root, artifact, 'latest');
    await writeToLayout(root, artifact, '1.0.0');
    expect(await writeToLayout(root, artifact, '1.0.0')).toBe('unchanged');
    const index = await readIndex(root);
    expect(index.manifests.map((m) => [m.annotations?.[ANNOTATIONS.refName], m.digest, m.size, m.mediaType])).toEqual([
      ['1.0.0', artifact.manifest.digest, artifact.manifest.size, MEDIA_TYPES.manifest],
      ['latest', artifact.manifest.digest, artifact.manifest.size, MEDIA_TYPES.manifest],
    ]);
    expect(await tagDigest(root, 'latest')).toBe(artifact.manifest.digest);
    expect(await tagDigest(root, 'nope')).toBeUndefined();
  });

  it('refuses other content under an existing tag, saying what it holds', async () => {
    const root = scratch();
    const first = await artifactOf('a: 1\n');
    const second = await artifactOf('a: 2\n');
    await writeToLayout(root, first, '1.0.0');
    const error = await writeToLayout(root, second, '1.0.0').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImmutableVersionError);
    expect((error as Error).message).toBe(`${root}:1.0.0 already holds ${first.manifest.digest}, not ${second.manifest.digest}`);
    expect(await tagDigest(root, '1.0.0')).toBe(first.manifest.digest);
  });

  it('rewrites a missing or damaged blob when the tag is written', async () => {
    const root = scratch();
    const artifact = await artifactOf('a: 1\n');
    await writeToLayout(root, artifact, '1.0.0');
    writeFileSync(blobFile(root, artifact.layer.digest), 'junk');
    expect(await writeToLayout(root, artifact, '2.0.0')).toBe('written');
    // Repaired for both tags that share it.
    expect(readFileSync(blobFile(root, artifact.layer.digest)).equals(artifact.layer.data)).toBe(true);
    for (const tag of ['1.0.0', '2.0.0']) expect((await readFromLayout(root, tag))?.layer.data.equals(artifact.layer.data), tag).toBe(true);
    rmSync(blobFile(root, artifact.layer.digest));
    expect(await writeToLayout(root, artifact, '3.0.0')).toBe('written');
    expect(readFileSync(blobFile(root, artifact.layer.digest)).equals(artifact.layer.data)).toBe(true);
  });

  it('names the damage it finds: index, missing, swapped, resized or linked blobs, a manifest not ours', async () => {
    const root = scratch();
    const artifact = await artifactOf('a: 1\n');
    await writeToLayout(root, artifact, '1.0.0');
    const layer = blobFile(root, artifact.layer.digest);
    const original = readFileSync(layer);

    writeFileSync(layer, Buffer.concat([original, Buffer.from('x')]));
    await expect(readFromLayout(root, '1.0.0')).rejects.toMatchObject(damaged(root, `blob ${artifact.layer.digest} has ${original.length + 1} bytes, not ${original.length}`));
    const swapped = Buffer.from(original);
    swapped.writeUInt8(swapped.readUInt8(swapped.length - 1) ^ 0xff, swapped.length - 1);
    writeFileSync(layer, swapped);
    await expect(readFromLayout(root, '1.0.0')).rejects.toMatchObject(damaged(root, `blob ${artifact.layer.digest} does not match its digest (it holds ${sha256(swapped)})`));
    rmSync(layer);
    await expect(readFromLayout(root, '1.0.0')).rejects.toMatchObject(damaged(root, `blob ${artifact.layer.digest} is missing`));
    mkdirSync(layer);
    await expect(readFromLayout(root, '1.0.0')).rejects.toMatchObject(damaged(root, `blob ${artifact.layer.digest} is not a regular file`));
    rmSync(layer, { recursive: true });
    symlinkSync('/etc/hostname', layer);
    await expect(readFromLayout(root, '1.0.0')).rejects.toMatchObject(damaged(root, `blob ${artifact.layer.digest} is not a regular file`));
    await expect(readBlob(root, 'sha256:abc', MEDIA_TYPES.content)).rejects.toMatchObject(damaged(root, 'sha256:abc is not a sha256 digest'));
    await expect(readBlob(root, `x${artifact.layer.digest}`, MEDIA_TYPES.content)).rejects.toMatchObject(damaged(root, `x${artifact.layer.digest} is not a sha256 digest`));

    const notOurs = Buffer.from(JSON.stringify({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }));
    writeFileSync(blobFile(root, sha256(notOurs)), notOurs);
    writeFileSync(join(root, 'index.json'), JSON.stringify({ manifests: [{ digest: sha256(notOurs), size: notOurs.length, annotations: { [ANNOTATIONS.refName]: 'x' } }] }));
    await expect(readFromLayout(root, 'x')).rejects.toMatchObject(damaged(root, `manifest ${sha256(notOurs)}: not an OCI image manifest (mediaType "application/vnd.docker.distribution.manifest.v2+json")`));

    writeFileSync(join(root, 'index.json'), '{');
    await expect(readIndex(root)).rejects.toMatchObject(damaged(root, 'index.json is not JSON'));
    for (const index of [{}, { manifests: {} }, { manifests: [{}] }, { manifests: [{ digest: 'sha256:12' }] }, { manifests: [null] }]) {
      writeFileSync(join(root, 'index.json'), JSON.stringify(index));
      await expect(readIndex(root), JSON.stringify(index)).rejects.toMatchObject(damaged(root, 'index.json does not list manifests by sha256 digest'));
    }
    rmSync(join(root, 'index.json'));
    mkdirSync(join(root, 'index.json'));
    await expect(readIndex(root)).rejects.toMatchObject({ code: 'layout.corrupt', message: expect.stringContaining('index.json is not a regular file') });
    expect(await readIndex(scratch())).toEqual({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
  });

  it('takes over a lock left by a dead process, and waits for a live one', async () => {
    const root = scratch();
    const artifact = await artifactOf('a: 1\n');
    mkdirSync(join(root, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(root, 'index.json.lock'), '2147483646');
    expect(await writeToLayout(root, artifact, '1.0.0')).toBe('written');
    const holder = spawn('sleep', ['5']);
    writeFileSync(join(root, 'index.json.lock'), String(holder.pid));
    const started = Date.now();
    setTimeout(() => rmSync(join(root, 'index.json.lock'), { force: true }), 300);
    expect(await writeToLayout(root, artifact, '2.0.0')).toBe('written');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    holder.kill();
    expect(existsSync(join(root, 'index.json.lock'))).toBe(false);
  });
});

describe('parseManifest', () => {
  it('accepts exactly a Flux artifact of ours and says what else it got', async () => {
    const artifact = await artifactOf('a: 1\n');
    const manifest = JSON.parse(artifact.manifest.data.toString()) as Record<string, unknown>;
    expect(parseManifest(artifact.manifest.data).annotations).toEqual(artifact.annotations);
    const broken = (change: Record<string, unknown>): string => {
      try {
        parseManifest(Buffer.from(JSON.stringify({ ...manifest, ...change })));
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(broken({ config: { ...(manifest['config'] as object), mediaType: 'x' } })).toBe(`its config is not a blob of type ${MEDIA_TYPES.config}`);
    expect(broken({ config: { ...(manifest['config'] as object), size: -1 } })).toBe(`its config is not a blob of type ${MEDIA_TYPES.config}`);
    expect(broken({ config: { ...(manifest['config'] as object), digest: 'sha256:1' } })).toBe(`its config is not a blob of type ${MEDIA_TYPES.config}`);
    expect(broken({ layers: [] })).toBe(`it does not hold exactly one layer of type ${MEDIA_TYPES.content}`);
    expect(broken({ layers: [...(manifest['layers'] as object[]), ...(manifest['layers'] as object[])] })).toBe(`it does not hold exactly one layer of type ${MEDIA_TYPES.content}`);
    expect(broken({ annotations: { a: 1 } })).toBe('its annotations are not strings');
    expect(broken({ annotations: undefined })).toBe('accepted');
    expect(() => parseManifest(Buffer.from('{'))).toThrow('not JSON');
  });
});
