/**
 * Bounds on everything read from a registry or a local layout: far above what a distribution's
 * artifact reaches (a shipped one is ~15 KB compressed, ~60 KB of YAML in ~30 files), far below what
 * would exhaust memory. Enforced while streaming, reported by name.
 */
export const ARTIFACT_LIMITS = {
  manifestBytes: 4 << 20,
  blobBytes: 64 << 20,
  /** What a layer may decompress to, and how many tar entries it may hold. */
  unpackedBytes: 64 << 20,
  entries: 10_000,
  errorBytes: 4 << 10,
  tagListBytes: 4 << 20,
} as const;
