/**
 * Container images for the tests, in a test registry: what a registry serves for a multi-platform
 * release (an OCI index of two platform manifests, each with an image config and a layer), pushed
 * by oras, and resolved by oras: the digest an independent client reads for the tag.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tool } from './tools.js';

// Never execFileSync: the test registry is a child of the same process, and its log pipe is
// drained by the event loop a synchronous call would block (the registry then stalls, and oras with it).
const oras = async (...args: string[]): Promise<string> => (await promisify(execFile)(await tool('oras'), args, { encoding: 'utf8' })).stdout.trim();

/** Pushes `repository:tag` to the registry at `host` (plain HTTP, loopback) as a two-platform image; returns the digest oras resolves for it. */
export async function pushTestImage(host: string, repository: string, tag: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'canaryship-image-'));
  const target = `${host}/${repository}`;
  for (const architecture of ['amd64', 'arm64']) {
    writeFileSync(join(dir, `config-${architecture}.json`), JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Labels: { image: `${repository}:${tag}` } } }));
    writeFileSync(join(dir, `layer-${architecture}`), `${repository}:${tag} for ${architecture}\n`);
    await oras('push', '--plain-http', '--disable-path-validation', '--config', `${join(dir, `config-${architecture}.json`)}:application/vnd.oci.image.config.v1+json`, `${target}:${tag}-${architecture}`, `${join(dir, `layer-${architecture}`)}:application/vnd.oci.image.layer.v1.tar`);
  }
  await oras('manifest', 'index', 'create', '--plain-http', `${target}:${tag}`, `${tag}-amd64`, `${tag}-arm64`);
  return oras('resolve', '--plain-http', `${target}:${tag}`);
}

/** Pushes a Flux artifact (an OCI manifest whose config is Flux's, not an image's) as `repository:tag`. */
export async function pushTestArtifact(host: string, repository: string, tag: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'canaryship-artifact-'));
  writeFileSync(join(dir, 'config.json'), '{}');
  writeFileSync(join(dir, 'content.tgz'), 'not an image\n');
  await oras('push', '--plain-http', '--disable-path-validation', '--config', `${join(dir, 'config.json')}:application/vnd.cncf.flux.config.v1+json`, `${host}/${repository}:${tag}`, `${join(dir, 'content.tgz')}:application/vnd.cncf.flux.content.v1.tar+gzip`);
}
