/**
 * Every external program canaryship, its tests and the cluster suite run, and every upstream Go
 * module whose files they read: one place for each version. Kubernetes and etcd are pinned by
 * tools/control-plane/go.mod (the module they are built from), Flagger by @canaryship/blocks (the
 * release the Canaries are written for), Node by runtime/node.mjs (read by npm's postinstall before
 * anything is built); everything else here.
 */
import { FLAGGER_VERSION } from '@canaryship/blocks';
import { NODE } from '../runtime/node.mjs';
import meshes from './meshes.json' with { type: 'json' };

export { NODE };

/**
 * The meshes the kind workflow installs (tools/e2e/install-mesh.sh reads this file), each pinned by
 * content: Istio 1.29.2 (the release Flagger 1.44's own e2e runs) as the Go module of the commit
 * tagged 1.29.2, its istioctl built from it and its Prometheus addon read from it; Linkerd
 * edge-25.12.3's CLI built from the tagged commit; the Gateway API CRDs of v1.2.1, the newest that
 * release of Linkerd supports (2.19's compatibility table; its policy controller cannot read the
 * CORS filter of 1.3). Go checks every download against its checksum database, and the install
 * against the pinned `sum`s too, so a different module under the same version fails it. The
 * Gateway API sum is held to what Go verified here (test/workflows); the Istio module is not served
 * by our machines' proxy, so its sum was read from the checksum database's record. The Istio API
 * the istio distribution is validated against is the 1.29 line's.
 */
export const MESHES = meshes;

/** How a program is obtained. */
export type Recipe =
  /** `go install PACKAGE@VERSION`: a module without replace directives. */
  | { readonly from: 'go-install'; readonly package: string; readonly version: string; readonly tags?: readonly string[] }
  /** `go build PACKAGE` inside one of this repository's Go modules (tools/<dir>), which pins its dependencies. */
  | { readonly from: 'go-build'; readonly moduleDir: string; readonly package: string; readonly kubernetesVersion?: boolean }
  /** A Debian package, for the one peer no Go module provides. */
  | { readonly from: 'debian'; readonly package: string };

export interface Tool {
  readonly name: ToolName;
  readonly recipe: Recipe;
  /** A program already on PATH that may stand in, when its version is accepted (kubectl ships on the machines). */
  readonly onPath?: { readonly command: string; readonly versionArgs: readonly string[]; readonly accepts: RegExp };
  /** Rough cold build time on 2 cores, shown while it builds. */
  readonly coldMinutes: number;
}

const PROMETHEUS = 'v0.316.0'; // Prometheus 3.x; Debian's is 2.42
// Service discovery plugins pull in every cloud SDK; the tests scrape static targets only.
const PROMETHEUS_TAGS = ['remove_all_sd'];
const CONTROL_PLANE = 'control-plane';

export const TOOLS = {
  promtool: { recipe: { from: 'go-install', package: 'github.com/prometheus/prometheus/cmd/promtool', version: PROMETHEUS, tags: PROMETHEUS_TAGS }, coldMinutes: 3 },
  prometheus: { recipe: { from: 'go-install', package: 'github.com/prometheus/prometheus/cmd/prometheus', version: PROMETHEUS, tags: PROMETHEUS_TAGS }, coldMinutes: 3 },
  kustomize: { recipe: { from: 'go-install', package: 'sigs.k8s.io/kustomize/kustomize/v5', version: 'v5.8.1' }, coldMinutes: 1 },
  registry: { recipe: { from: 'go-install', package: 'github.com/distribution/distribution/v3/cmd/registry', version: 'v3.1.2' }, coldMinutes: 2 },
  oras: { recipe: { from: 'go-install', package: 'oras.land/oras/cmd/oras', version: 'v1.3.6' }, coldMinutes: 1 },
  actionlint: { recipe: { from: 'go-install', package: 'github.com/rhysd/actionlint/cmd/actionlint', version: 'v1.7.12' }, coldMinutes: 1 },
  'flux-oci': { recipe: { from: 'go-build', moduleDir: 'flux-oci', package: '.' }, coldMinutes: 1 },
  /** cyclonus's NetworkPolicy engine, which the rendered policies and the data-plane model are held to. */
  'policy-engine': { recipe: { from: 'go-build', moduleDir: 'policy-engine', package: '.' }, coldMinutes: 1 },
  shellcheck: { recipe: { from: 'debian', package: 'shellcheck' }, coldMinutes: 1 },
  /** What the release workflow reads `release --json` with (the runners' jq); a test runs its program on a real release. */
  jq: { recipe: { from: 'debian', package: 'jq' }, coldMinutes: 1 },
  etcd: { recipe: { from: 'go-build', moduleDir: CONTROL_PLANE, package: 'go.etcd.io/etcd/server/v3' }, coldMinutes: 3 },
  'kube-apiserver': { recipe: { from: 'go-build', moduleDir: CONTROL_PLANE, package: 'k8s.io/kubernetes/cmd/kube-apiserver', kubernetesVersion: true }, coldMinutes: 10 },
  'kube-controller-manager': { recipe: { from: 'go-build', moduleDir: CONTROL_PLANE, package: 'k8s.io/kubernetes/cmd/kube-controller-manager', kubernetesVersion: true }, coldMinutes: 4 },
  'kube-scheduler': { recipe: { from: 'go-build', moduleDir: CONTROL_PLANE, package: 'k8s.io/kubernetes/cmd/kube-scheduler', kubernetesVersion: true }, coldMinutes: 2 },
  kubectl: {
    recipe: { from: 'go-build', moduleDir: CONTROL_PLANE, package: 'k8s.io/kubernetes/cmd/kubectl', kubernetesVersion: true },
    // Any kubectl with kustomize v5 and server-side apply will do as the cluster suite's client.
    onPath: { command: 'kubectl', versionArgs: ['version', '--client'], accepts: /Client Version: v1\.(2[7-9]|[3-9]\d)\./ },
    coldMinutes: 3,
  },
  kwok: { recipe: { from: 'go-install', package: 'sigs.k8s.io/kwok/cmd/kwok', version: 'v0.8.0' }, coldMinutes: 3 },
  flagger: { recipe: { from: 'go-install', package: 'github.com/fluxcd/flagger/cmd/flagger', version: `v${FLAGGER_VERSION}` }, coldMinutes: 3 },
  loadtester: { recipe: { from: 'go-install', package: 'github.com/fluxcd/flagger/cmd/loadtester', version: `v${FLAGGER_VERSION}` }, coldMinutes: 2 },
  /** Flux's controllers, run out of cluster against the local API server (their go.mod pins the version). */
  'source-controller': { recipe: { from: 'go-build', moduleDir: 'source-controller', package: 'github.com/fluxcd/source-controller' }, coldMinutes: 6 },
  /** Signs releases in the cluster suite; built in source-controller's module, so it is the cosign source-controller verifies with. */
  cosign: { recipe: { from: 'go-build', moduleDir: 'source-controller', package: 'github.com/sigstore/cosign/v3/cmd/cosign' }, coldMinutes: 2 },
  'kustomize-controller': { recipe: { from: 'go-build', moduleDir: 'kustomize-controller', package: 'github.com/fluxcd/kustomize-controller' }, coldMinutes: 5 },
  /** The load generator the loadtester image ships. */
  hey: { recipe: { from: 'go-install', package: 'github.com/rakyll/hey', version: 'v0.1.5' }, coldMinutes: 1 },
} as const satisfies Record<string, Omit<Tool, 'name'>>;

export type ToolName = keyof typeof TOOLS;

export const toolOf = (name: ToolName): Tool => ({ name, ...(TOOLS[name] as Omit<Tool, 'name'>) });

/** Upstream Go modules whose files (schemas, CRDs, stages) the commands and tests read; never committed. */
export const UPSTREAM_MODULES = {
  /** The OpenAPI of the Kubernetes release the control plane runs (its version comes from tools/control-plane/go.mod). */
  kubernetes: { module: 'k8s.io/kubernetes', version: 'control-plane' },
  flagger: { module: 'github.com/fluxcd/flagger', version: `v${FLAGGER_VERSION}` },
  gatewayApi: { module: MESHES.gatewayApi.module, version: MESHES.gatewayApi.version },
  istioApi: { module: 'istio.io/api', version: MESHES.istio.api },
  // The releases tools/source-controller and tools/kustomize-controller build: their CRDs.
  fluxSource: { module: 'github.com/fluxcd/source-controller', version: 'v1.9.6' },
  fluxKustomize: { module: 'github.com/fluxcd/kustomize-controller', version: 'v1.9.6' },
  kwok: { module: 'sigs.k8s.io/kwok', version: TOOLS.kwok.recipe.version },
} as const;

export type UpstreamModule = keyof typeof UPSTREAM_MODULES;

/** What each entry point needs before it runs: `setup <suite>` provisions exactly this. */
export const SUITES = {
  /** `canaryship validate`: promtool and kustomize run, the Kubernetes and Flagger schemas are read. */
  validate: { tools: ['promtool', 'kustomize'], modules: ['kubernetes', 'flagger'] },
  /** `npm test`. */
  test: { tools: ['promtool', 'kustomize', 'registry', 'oras', 'flux-oci', 'policy-engine', 'actionlint', 'shellcheck', 'jq'], modules: ['kubernetes', 'flagger', 'fluxSource', 'fluxKustomize', 'gatewayApi'] },
  /** `npm run test:cluster`. */
  cluster: {
    tools: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'flagger', 'loadtester', 'hey', 'prometheus', 'registry', 'source-controller', 'cosign', 'kustomize-controller'],
    modules: ['kubernetes', 'flagger', 'gatewayApi', 'istioApi', 'fluxSource', 'fluxKustomize', 'kwok'],
  },
} as const satisfies Record<string, { tools: readonly ToolName[]; modules: readonly UpstreamModule[] }>;

export type Suite = keyof typeof SUITES;

/**
 * The oldest Go that builds every pinned module: Prometheus v0.316.0 and oras v1.3.6 declare
 * `go 1.26.7` (an older go command would fetch that toolchain itself, unless GOTOOLCHAIN=local).
 */
export const MINIMUM_GO = '1.26.7';
