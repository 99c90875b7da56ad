/**
 * The registry commands' defaults, in a module of their own: the command list (for --help) and the
 * option parser both read them, and neither imports the other.
 */

/** Where publish writes its local OCI layout, and where diff, contract, summary and release read it. */
export const DEFAULT_LAYOUT = '.artifacts/oci';

/** Longest one registry request may take; an operation, its retries included, twice that. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** The registry commands' options, as --help lists them. */
export const REGISTRY_OPTIONS_HELP: readonly { readonly flag: string; readonly says: string }[] = [
  { flag: '--registry HOST[:PORT][/PREFIX]', says: 'the registry (no scheme, no credentials: CANARYSHIP_REGISTRY_USERNAME/PASSWORD or the Docker config file)' },
  { flag: '--insecure', says: 'plain HTTP, to a registry on loopback only' },
  { flag: '--layout DIR', says: `the local OCI layout (default ${DEFAULT_LAYOUT})` },
  { flag: '--timeout SECONDS', says: `longest one request may take (default ${DEFAULT_TIMEOUT_SECONDS}); an operation, retries included, twice that` },
  { flag: '--json', says: 'the result (or the failure) as JSON on stdout' },
];

/** publish's `--bundle`. */
export const BUNDLE_HELP = { flag: '--bundle', says: 'also publish the provider bundle of each version beside it (needs --registry)' } as const;

/** What a published release's provider bundle requires of later releases (publish and release). */
export const SIGNATURE_HELP: readonly { readonly flag: string; readonly says: string }[] = [
  { flag: '--signed-by WORKFLOW_URL', says: "the provider bundle published beside each release makes Flux require that GitHub workflow's keyless signature" },
  { flag: '--signed-by-key SECRET', says: 'or a signature by the key whose public half is in that Secret of flux-system' },
];

/** `--image-mirror`, as pin-images and release list it. */
export const IMAGE_MIRROR_HELP = { flag: '--image-mirror REGISTRY=[http://]HOST[:PORT][/PREFIX]', says: "ask a mirror holding the same manifests for REGISTRY's images (repeatable; http:// for one on loopback)" } as const;
