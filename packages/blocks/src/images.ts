/**
 * Every container image the distributions run, pinned in one place.
 * A service may override the podinfo tag for its own release; nothing else names an image.
 *
 * Each `image:tag` is resolved to the digest of what its registry served for it by
 * `canaryship pin-images`, which writes images.lock.json beside this file: render then writes
 * `image:tag@digest`, so providers run exactly what was tested, offline and byte for byte the same.
 */
import { CanaryshipError } from './errors.js';
import IMAGE_LOCK from './images.lock.json' with { type: 'json' };

export const PODINFO_IMAGE = 'ghcr.io/stefanprodan/podinfo';
export const PODINFO_VERSION = '6.14.1';

export const LOADTESTER_IMAGE = 'ghcr.io/fluxcd/flagger-loadtester';
export const LOADTESTER_VERSION = '0.38.0';

/** The entry proxy users reach the app through (distroless: the envoy binary, nothing else). */
export const ENVOY_IMAGE = 'envoyproxy/envoy';
export const ENVOY_VERSION = 'distroless-v1.39.6';

/** Flagger release the Canary and MetricTemplate objects are written for. */
export const FLAGGER_VERSION = '1.44.0';

/** A content digest as OCI names one: the only algorithm registries, Flux and the kubelet all take. */
export const SHA256_DIGEST: RegExp = /^sha256:[0-9a-f]{64}$/;

/** What pin-images resolved: `image:tag` → `sha256:…`. */
export type ImageLock = Readonly<Record<string, string>>;

/** `image:tag@digest` where the lock holds the tag's digest, `image:tag` where it does not yet (release refuses that). */
export const imageRef = (image: string, tag: string, lock: ImageLock = IMAGE_LOCK): string => {
  const digest = lock[`${image}:${tag}`];
  if (digest !== undefined && !SHA256_DIGEST.test(digest)) {
    throw new CanaryshipError(`images.lock.json pins ${image}:${tag} to ${JSON.stringify(digest.slice(0, 80))}, which is not a sha256 digest`, { code: 'images.lock', hint: 'restore it from git, or run canaryship pin-images to write it again' });
  }
  return digest ? `${image}:${tag}@${digest}` : `${image}:${tag}`;
};
