/**
 * Every container image the distributions run, pinned in one place.
 * A service may override the podinfo tag for its own release; nothing else names an image.
 */
export const PODINFO_IMAGE = 'ghcr.io/stefanprodan/podinfo';
export const PODINFO_VERSION = '6.9.2';

export const LOADTESTER_IMAGE = 'ghcr.io/fluxcd/flagger-loadtester';
export const LOADTESTER_VERSION = '0.38.0';

/** Flagger release the Canary and MetricTemplate objects are written for. */
export const FLAGGER_VERSION = '1.44.0';

export const imageRef = (image: string, tag: string): string => `${image}:${tag}`;
