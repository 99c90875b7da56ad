/**
 * The part of Flux's API a provider bundle writes: `source.toolkit.fluxcd.io/v1` OCIRepository and
 * `kustomize.toolkit.fluxcd.io/v1` Kustomization (source- and kustomize-controller 1.9; v1beta2
 * OCIRepository was removed in 1.8). Only the fields we set; the controllers' own CRDs validate the
 * rendered objects (tools/validate).
 */

/** Go durations as Flux reads them, in the units a bundle needs. */
export type FluxDuration = `${number}${'s' | 'm' | 'h'}`;

export const FLUX_SOURCE_API = 'source.toolkit.fluxcd.io/v1';
export const FLUX_KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';
/** Where Flux's own objects live on every cluster that runs Flux. */
export const FLUX_NAMESPACE = 'flux-system';
/** The one layer of a Flux artifact (`flux push artifact`, and ours). */
export const FLUX_CONTENT_LAYER = 'application/vnd.cncf.flux.content.v1.tar+gzip';

interface Metadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Which tags an OCIRepository follows: exactly one kind of reference. */
export type OciReference = { readonly semver: string } | { readonly tag: string } | { readonly digest: string };

/** Regular expressions the signing certificate's issuer and subject must match (keyless signatures). */
export interface OidcIdentity {
  readonly issuer: string;
  readonly subject: string;
}

export interface OciRepository {
  readonly apiVersion: typeof FLUX_SOURCE_API;
  readonly kind: 'OCIRepository';
  readonly metadata: Metadata;
  readonly spec: {
    readonly interval: FluxDuration;
    /** `oci://host/repository`, no tag. */
    readonly url: `oci://${string}`;
    readonly ref: OciReference;
    readonly layerSelector: { readonly mediaType: string; readonly operation: 'extract' | 'copy' };
    readonly insecure?: boolean;
    /** Flux refuses an artifact without a valid cosign signature: keyless (who signed it) or by public key (in a Secret). */
    readonly verify?:
      | { readonly provider: 'cosign'; readonly matchOIDCIdentity: readonly OidcIdentity[] }
      | { readonly provider: 'cosign'; readonly secretRef: { readonly name: string } };
  };
}

/** A kustomize patch as Flux's Kustomization carries it: a strategic-merge or JSON 6902 patch, and the objects it applies to. */
export interface FluxPatch {
  readonly target: { readonly kind: string; readonly name?: string; readonly group?: string; readonly version?: string };
  readonly patch: string;
}

export interface FluxKustomization {
  readonly apiVersion: typeof FLUX_KUSTOMIZE_API;
  readonly kind: 'Kustomization';
  readonly metadata: Metadata;
  readonly spec: {
    readonly interval: FluxDuration;
    readonly retryInterval?: FluxDuration;
    readonly timeout: FluxDuration;
    readonly sourceRef: { readonly kind: 'OCIRepository'; readonly name: string };
    readonly path: string;
    readonly prune: boolean;
    readonly wait: boolean;
    readonly dependsOn?: readonly { readonly name: string }[];
    readonly patches?: readonly FluxPatch[];
    /** Every object of the app in this namespace instead (kustomize's namespace transformer). */
    readonly targetNamespace?: string;
  };
}
