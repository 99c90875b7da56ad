/**
 * The bundle a provider applies once to subscribe a cluster to one environment's releases:
 * Flux sources and Kustomizations for Flagger (the install for that mesh, from Flagger's own
 * signed OCI artifact) and for our app, which depends on it. Pure: objects in, objects out.
 *
 * Choices, from the controllers' source (fluxcd/cli-utils kstatus, used by kustomize-controller's
 * `wait`): a Canary has neither a Ready condition nor `status.observedGeneration`, so `wait` counts
 * it ready as soon as it exists; it never reports Flagger's verdict (Flagger rolls back on its own).
 * What `wait` does check is every Deployment Flux applied: the entry and loadtester roll out, and
 * the services' own Deployments, which Flagger scales to zero behind their primaries, count as
 * rolled out at zero replicas. So the app waits with a timeout for rollouts, not for analyses.
 */
import { ENVIRONMENT_PROFILES, type EnvironmentName } from '../environment.js';
import { DistributionError } from '../errors.js';
import { FLAGGER_VERSION } from '../images.js';
import type { PlacedObject } from '../distribution/objects.js';
import { regexLiteral } from '../strategy/analysis.js';
import { APP_LABELS, APP_NAME } from '../workload/labels.js';
import { FLUX_CONTENT_LAYER, FLUX_KUSTOMIZE_API, FLUX_NAMESPACE, FLUX_SOURCE_API, type FluxKustomization, type FluxPatch, type OciRepository } from './flux.js';

/** Flagger's kustomize overlays, published and signed at every Flagger release. */
export const FLAGGER_MANIFESTS = 'oci://ghcr.io/fluxcd/flagger-manifests';
/** Who signs keyless on GitHub Actions: its OIDC token issuer, as a regular expression. */
const GITHUB_OIDC_ISSUER = '^https://token\\.actions\\.githubusercontent\\.com$';
const FLAGGER_RELEASE_IDENTITY = {
  issuer: GITHUB_OIDC_ISSUER,
  subject: '^https://github\\.com/fluxcd/flagger/\\.github/workflows/release\\.yml@refs/tags/v\\d+\\.\\d+\\.\\d+$',
};

/** Flagger's overlay for each environment: the install whose `-metrics-server` our MetricTemplates query. */
export const FLAGGER_OVERLAY: { readonly [E in EnvironmentName]: string } = { kubernetes: './kubernetes', istio: './istio', linkerd: './linkerd' };

export interface BundleInput {
  readonly environment: EnvironmentName;
  /** Where the environment's artifacts are published: `host[:port]/path`, no scheme, no tag. */
  readonly repository: string;
  /** The version being released: the bundle follows its major version. */
  readonly version: string;
  /** Plain HTTP: only for a registry on the provider's loopback (tests, a laptop). */
  readonly insecure?: boolean;
  /** The provider's patches of the app (see customise.ts). */
  readonly patches?: readonly FluxPatch[];
  /** Apply only releases signed with cosign: by the vendor's release workflow (keyless), or by a key whose public half is in the provider's Secret. */
  readonly verify?: ReleaseSignature;
}

export type ReleaseSignature =
  /** `https://github.com/OWNER/REPO/.github/workflows/release.yml`: signed keyless by that workflow on the default branch, through GitHub's OIDC. */
  | { readonly workflow: string; readonly ref?: string }
  /** A Secret in Flux's namespace holding the cosign public key (`cosign.pub`). */
  | { readonly publicKeySecret: string };

const WORKFLOW = /^https:\/\/github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/\.github\/workflows\/[A-Za-z0-9_.-]+\.ya?ml$/;
const GIT_REF = /^refs\/(heads|tags)\/[A-Za-z0-9._\/-]+$/;
/** A Secret's name is a DNS subdomain: labels joined by dots (at most 253 characters, checked beside it). */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const BUNDLE_NAMES: { readonly flagger: 'flagger'; readonly app: typeof APP_NAME } = { flagger: 'flagger', app: APP_NAME };

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$/;
const REPOSITORY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/;

/**
 * The versions a subscription follows: every minor and patch release of `version`'s major (for 0.x,
 * of its minor, as semver's caret does), never the next major, which may break a provider.
 */
export function compatibleRange(version: string): string {
  const match = SEMVER.exec(version);
  if (!match) throw new RangeError(`not a release version: ${version}`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 0 ? `>=${major}.0.0 <${major + 1}.0.0` : `>=0.${minor}.0 <0.${minor + 1}.0`;
}

/** The OCIRepository's `verify` for a required release signature; an issue naming the field it cannot express exactly. */
function verifyOf(signature: ReleaseSignature, issue: (path: string, message: string) => Error): NonNullable<OciRepository['spec']['verify']> {
  if ('workflow' in signature) {
    const ref = signature.ref ?? 'refs/heads/main';
    if (!WORKFLOW.test(signature.workflow)) throw issue('verify.workflow', `"${signature.workflow}" is not a GitHub workflow URL (https://github.com/OWNER/REPO/.github/workflows/FILE.yml)`);
    if (!GIT_REF.test(ref)) throw issue('verify.ref', `"${ref}" is not a git ref (refs/heads/… or refs/tags/…)`);
    return { provider: 'cosign', matchOIDCIdentity: [{ issuer: GITHUB_OIDC_ISSUER, subject: `^${regexLiteral(`${signature.workflow}@${ref}`)}$` }] };
  }
  if (!SECRET_NAME.test(signature.publicKeySecret) || signature.publicKeySecret.length > 253) throw issue('verify.publicKeySecret', `"${signature.publicKeySecret}" is not a Secret name`);
  return { provider: 'cosign', secretRef: { name: signature.publicKeySecret } };
}

export function providerBundle(input: BundleInput): PlacedObject[] {
  const { environment, repository, version } = input;
  const issue = (path: string, message: string) => new DistributionError([{ code: 'bundle.invalid', environment, path, message }]);
  if (!ENVIRONMENT_PROFILES[environment]) throw issue('environment', `unknown environment "${environment}"`);
  if (!REPOSITORY.test(repository)) throw issue('repository', `"${repository}" is not an OCI repository (host[:port]/path, lower case, no scheme or tag)`);
  if (!SEMVER.test(version)) throw issue('version', `"${version}" is not a release version (MAJOR.MINOR.PATCH)`);
  const verify = input.verify && verifyOf(input.verify, issue);
  const metadata = (name: string) => ({ name, namespace: FLUX_NAMESPACE, labels: APP_LABELS });
  const source = (name: string, spec: Omit<OciRepository['spec'], 'layerSelector'>): OciRepository => ({
    apiVersion: FLUX_SOURCE_API,
    kind: 'OCIRepository',
    metadata: metadata(name),
    spec: { ...spec, layerSelector: { mediaType: FLUX_CONTENT_LAYER, operation: 'extract' } },
  });
  // Every sync prunes what a release drops, retries every minute, and gives rollouts 5 minutes.
  const sync = (name: string, spec: Omit<FluxKustomization['spec'], 'sourceRef' | 'prune' | 'retryInterval' | 'timeout'>): FluxKustomization => ({
    apiVersion: FLUX_KUSTOMIZE_API,
    kind: 'Kustomization',
    metadata: metadata(name),
    spec: { retryInterval: '1m', timeout: '5m', sourceRef: { kind: 'OCIRepository', name }, prune: true, ...spec },
  });

  const flaggerSource = source(BUNDLE_NAMES.flagger, {
    interval: '1h',
    url: FLAGGER_MANIFESTS,
    ref: { semver: FLAGGER_VERSION },
    verify: { provider: 'cosign', matchOIDCIdentity: [FLAGGER_RELEASE_IDENTITY] },
  });
  const appSource = source(BUNDLE_NAMES.app, { interval: '5m', url: `oci://${repository}`, ref: { semver: compatibleRange(version) }, ...(input.insecure && { insecure: true }), ...(verify && { verify }) });
  // wait: the app's Canaries need Flagger's CRDs served and Flagger running before they are applied.
  const flagger = sync(BUNDLE_NAMES.flagger, { interval: '1h', path: FLAGGER_OVERLAY[environment], wait: true });
  const app = sync(BUNDLE_NAMES.app, {
    interval: '10m',
    path: './',
    wait: true,
    dependsOn: [{ name: BUNDLE_NAMES.flagger }],
    // Always a list, even empty: each customisation component appends its patches to it (JSON
    // patch `add` at `/spec/patches/-` needs the list to exist), so any number of them combine.
    patches: input.patches ?? [],
  });
  return [
    { path: 'sources/flagger.yaml', object: flaggerSource },
    { path: `sources/${APP_NAME}.yaml`, object: appSource },
    { path: 'sync/flagger.yaml', object: flagger },
    { path: `sync/${APP_NAME}.yaml`, object: app },
  ];
}
