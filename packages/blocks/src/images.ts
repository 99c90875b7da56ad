/**
 * Every container image the distributions run, pinned in one place.
 * A service may override the podinfo tag for its own release; nothing else names an image.
 */
export const PODINFO_IMAGE = 'ghcr.io/stefanprodan/podinfo';
export const PODINFO_VERSION = '6.14.1';

export const LOADTESTER_IMAGE = 'ghcr.io/fluxcd/flagger-loadtester';
export const LOADTESTER_VERSION = '0.38.0';

/** The entry proxy users reach the app through (distroless: the envoy binary, nothing else). */
export const ENVOY_IMAGE = 'envoyproxy/envoy';
export const ENVOY_VERSION = 'distroless-v1.39.6';

/** Flagger release the Canary and MetricTemplate objects are written for. */
export const FLAGGER_VERSION = '1.44.0';

export const imageRef = (image: string, tag: string): string => `${image}:${tag}`;
