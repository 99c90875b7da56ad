/** The media types and annotations of Flux's OCI artifact format (what `flux push artifact` writes). */
export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.cncf.flux.config.v1+json',
  content: 'application/vnd.cncf.flux.content.v1.tar+gzip',
} as const;

export const ANNOTATIONS = {
  created: 'org.opencontainers.image.created',
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  version: 'org.opencontainers.image.version',
  refName: 'org.opencontainers.image.ref.name',
  description: 'org.opencontainers.image.description',
} as const;
