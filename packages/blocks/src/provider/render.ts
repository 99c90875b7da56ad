/**
 * A provider bundle as files: `kustomization.yaml` and the four Flux objects it applies; one
 * kustomize Component per customisation example under `customise/<name>/` (not applied unless the
 * provider lists it: each appends its patches to the app's Kustomization, so any number combine;
 * objects a customisation adds beside the app go in a file of their own there); and README.md,
 * the provider's guide (its first line is our render header, as a Markdown heading).
 */
import { composeDistribution, type ComposedDistribution } from '../distribution/compose.js';
import type { DistributionDefinition } from '../distribution/define.js';
import { KUSTOMIZATION_FILE, RENDERED_BY, type RenderedFile } from '../distribution/render.js';
import { toYaml } from '../distribution/serialize.js';
import type { EnvironmentName } from '../environment.js';
import { FLAGGER_VERSION } from '../images.js';
import { APP_NAME } from '../workload/labels.js';
import { BUNDLE_NAMES, compatibleRange, FLAGGER_MANIFESTS, FLAGGER_OVERLAY, providerBundle, type BundleInput, type ReleaseSignature } from './bundle.js';
import { customisationPatches, type Customisation, type CustomisationPatches } from './customise.js';
import { FLUX_KUSTOMIZE_API, FLUX_NAMESPACE, FLUX_SOURCE_API } from './flux.js';

/** In each customisation's folder: the patches it appends, and what it adds beside the app. */
const COMPONENT_PATCHES = 'patches.yaml';
const BESIDE_FILE = 'beside-the-app.yaml';
/** What the guide calls this folder inside the provider's own overlay. */
const BUNDLE_FOLDER = 'subscription';

export interface CustomisationExample {
  /** Folder name under customise/, and how README refers to it. */
  readonly name: string;
  readonly summary: string;
  readonly customisation: Customisation;
}

/**
 * One example of each customisation, on services every distribution has: the entry's upstream
 * (users' first stop) and the first SLO check it runs from a template.
 */
export function customisationExamples(distribution: ComposedDistribution, upstream: string): CustomisationExample[] {
  const canary = distribution.objects.find((o) => o.object.kind === 'Canary' && o.object.metadata?.name === upstream)?.object as
    | { spec: { analysis: { metrics: { name: string; templateRef?: unknown; thresholdRange: { min?: number; max?: number } }[] } } }
    | undefined;
  const templated = canary?.spec.analysis.metrics.find((m) => m.templateRef !== undefined && m.thresholdRange.max !== undefined);
  const services = distribution.objects.filter((o) => o.object.kind === 'Canary').map((o) => o.object.metadata?.name ?? '');
  return [
    { name: 'resources', summary: `more CPU and memory for ${upstream}`, customisation: { kind: 'resources', service: upstream, requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '2', memory: '512Mi' } } },
    { name: 'autoscaling', summary: `${upstream} between 3 and 12 replicas at 60% CPU`, customisation: { kind: 'autoscaling', service: upstream, minReplicas: 3, maxReplicas: 12, cpuUtilization: 60 } },
    ...(templated
      ? [{ name: 'slo-threshold', summary: `a stricter ${templated.name} for ${upstream}`, customisation: { kind: 'slo-threshold', service: upstream, metric: templated.name, max: (templated.thresholdRange.max ?? 0) / 2 } } as const]
      : []),
    { name: 'analysis', summary: `${upstream} checked every 30 s, rolled back after 2 failed checks`, customisation: { kind: 'analysis', service: upstream, interval: '30s', threshold: 2 } },
    { name: 'manual-approval', summary: `${upstream} promoted only once someone opens the loadtester's gate`, customisation: { kind: 'manual-approval', service: upstream } },
    { name: 'notifications', summary: `every release reported to Slack; the webhook address is key \`address\` of your Secret \`slack-webhook\` in namespace \`${distribution.namespace}\``, customisation: { kind: 'notifications', type: 'slack', secretName: 'slack-webhook', services } },
    { name: 'namespace', summary: 'the app in namespace "shop" instead of "webapp"', customisation: { kind: 'namespace', namespace: 'shop' } },
  ];
}

const header = (environment: string, what: string): string =>
  `${RENDERED_BY}: ${what} for the ${environment} environment. Do not edit: re-render it, or patch it in your own overlay.\n`;

/** A customisation's files are examples: changed in a copy, which the next bundle leaves alone. */
const exampleHeader = (environment: string, what: string): string =>
  `${RENDERED_BY}: ${what} for the ${environment} environment. To change it, copy this folder beside your kustomization and edit the copy.\n`;

const documents = (objects: readonly unknown[]): string => objects.map(toYaml).join('---\n');

const PREREQUISITES: { readonly [E in EnvironmentName]: string } = {
  kubernetes: 'nothing besides Flux: the bundle installs Flagger with its own Prometheus (`flagger-system`)',
  istio: 'Istio with its Prometheus add-on at `prometheus.istio-system:9090`; the bundle installs Flagger into `istio-system`',
  linkerd: 'Linkerd with linkerd-viz (its Prometheus at `prometheus.linkerd-viz:9090`) and the Gateway API CRDs; the bundle installs Flagger into `flagger-system`',
};

/** What the guide says about the releases' signature. */
function signatureLines(verify: ReleaseSignature | undefined): string[] {
  if (!verify) return ['Releases are not required to be signed: render the bundle with `--signed-by` to require it.', ''];
  if ('workflow' in verify) return [`Flux applies a release only with a valid cosign signature made keyless by \`${verify.workflow}\` on \`${verify.ref ?? 'refs/heads/main'}\` (GitHub's OIDC issuer).`, ''];
  return [`Flux applies a release only with a valid cosign signature by the key whose public half is in the Secret \`${verify.publicKeySecret}\` (namespace \`${FLUX_NAMESPACE}\`, key \`cosign.pub\`).`, ''];
}

/** The provider's guide to this bundle, beside it. */
function guide(distribution: ComposedDistribution, input: Omit<BundleInput, 'environment'>, examples: readonly CustomisationExample[]): string {
  const { environment, namespace } = distribution;
  // Before 1.0 a minor release may break (semver's caret): the subscription stays on one minor.
  const unstable = input.version.startsWith('0.');
  const lines = [
    `${RENDERED_BY}: the provider guide for the ${environment} environment`,
    '',
    `This folder subscribes a cluster to the ${environment} releases of ${APP_NAME} at \`oci://${input.repository}\`.`,
    '',
    '## Prerequisites',
    '',
    `- Flux 2.9 (source- and kustomize-controller v1.9, the ones the tests run; cosign v3 bundles for Flagger's signatures).`,
    `- ${PREREQUISITES[environment]}.`,
    '',
    '## Subscribe',
    '',
    'In this folder, as it is (to customise, apply your own kustomization instead: see Customise below):',
    '',
    '```sh',
    'kubectl apply -k .',
    '```',
    '',
    `Flux installs Flagger ${FLAGGER_VERSION} (\`${FLAGGER_MANIFESTS}\`, path \`${FLAGGER_OVERLAY[environment]}\`, signature checked), then the app,`,
    `which depends on it. The app follows \`${compatibleRange(input.version)}\`: ${unstable ? 'patch releases of this 0.x minor' : 'minor and patch releases'} arrive on their own,`,
    `the next ${unstable ? 'minor' : 'major'} does not (it may break you; see Operate to take it). Every release is then rolled`,
    'out by Flagger, which rolls it back on its own when it breaks its SLOs.',
    '',
    'What the release your cluster runs changes, and why (its changelog for this environment), Flux keeps in the',
    'OCIRepository\'s status:',
    '',
    '```sh',
    `kubectl -n ${FLUX_NAMESPACE} get ocirepository ${BUNDLE_NAMES.app} -o jsonpath='{.status.artifact.metadata.org\\.opencontainers\\.image\\.description}'`,
    '```',
    '',
    ...signatureLines(input.verify),
    '## Customise',
    '',
    'Keep this folder as it is rendered (its files say so). Customise in a kustomization of your own, in the',
    'folder above it, that lists this folder and the customisations you use; apply that instead:',
    '',
    '```yaml',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    `  - ${BUNDLE_FOLDER}`,
    'components:',
    ...examples.slice(0, 2).map((e) => `  - ${BUNDLE_FOLDER}/customise/${e.name}`),
    '```',
    '',
    '```sh',
    'kubectl apply -k .',
    '```',
    '',
    `(\`${BUNDLE_FOLDER}\` is this folder, under whatever name you keep it.) Each folder under \`customise/\` is a kustomize Component`,
    `that appends its patches to the app's Kustomization (\`sync/${BUNDLE_NAMES.app}.yaml\`), so they combine: one exception, the`,
    "namespace move leaves the manual gate's and notifications' patches naming the old namespace, so do not list them with",
    'it. Each is an example, built against this distribution and validated before release: to change its values, copy',
    'its folder beside your kustomization, edit `patches.yaml` and list the copy instead (for `customise/namespace`, replace',
    `the new namespace everywhere in it: it rewrites every address that names \`${namespace}\`).`,
    '',
    ...examples.map((e) => `- \`customise/${e.name}\`: ${e.summary}.`),
    '',
    `A customisation that adds objects beside the app (\`customise/notifications\`: the AlertProvider) keeps them in`,
    `\`${BESIDE_FILE}\`, which the Component does not apply: they live in the app's namespace and are Flagger's kinds, and`,
    'neither exists before Flux has installed Flagger and the app. Once `kubectl get kustomization -n flux-system` shows',
    `\`${BUNDLE_NAMES.app}\` Ready, create the Secret it names and apply that file with \`kubectl apply -f\`.`,
    '',
    '## Operate',
    '',
    `- What runs: \`flux get sources oci\` and \`flux get kustomizations\` (the release applied, by version and digest);`,
    `  releases in flight: \`kubectl -n ${namespace} get canaries\` (phase, weight), and \`kubectl -n ${namespace} describe canary NAME\``,
    "  for Flagger's events (each check it ran, and why it rolled back).",
    '- Open a manual gate (`customise/manual-approval`): Flagger promotes once the loadtester says so, and the gate stays',
    '  open for every later release until it is closed again:',
    `  \`kubectl -n ${namespace} exec deploy/flagger-loadtester -c loadtester -- curl -fsS -d '{"name":"SERVICE","namespace":"${namespace}"}' http://localhost:8080/gate/open\`,`,
    '  then, once the release is promoted, the same with `/gate/close`.',
    `- Hold a version, or go back to an earlier one: list a copy of \`customise/${HOLD}\` (it holds ${input.version}) with the version`,
    '  you want in its `patches.yaml`. Flux applies that version and Flagger rolls it out like any release; remove it to',
    `  follow the releases again. The next ${unstable ? 'minor' : 'major'} comes with its own bundle: pull it, read its guide, apply it.`,
    `- Pause: \`flux suspend kustomization ${BUNDLE_NAMES.app}\` (nothing new is applied); \`flux resume kustomization ${BUNDLE_NAMES.app}\`.`,
    `- Remove the app: \`flux delete kustomization ${BUNDLE_NAMES.app}\` (it prunes what it applied: the app and its namespace) and`,
    `  \`flux delete source oci ${BUNDLE_NAMES.app}\`. Deleting the whole subscription (\`kubectl delete -k\` of what you applied) also`,
    "  deletes the `flagger` Kustomization, which prunes Flagger and its CRDs, and with them every Canary in the cluster,",
    "  this app's or not, and the `-primary` Deployments Flagger made for them, which serve those apps' users: keep",
    '  Flagger while anything else uses it.',
    '',
  ];
  return lines.join('\n');
}

/** kustomize's Component kind: a piece an overlay adds by listing it under `components`. */
const COMPONENT_API = 'kustomize.config.k8s.io/v1alpha1';

/**
 * One customisation as a Component: JSON patch operations that append its patches to the app's
 * Flux Kustomization (`patches.yaml`), and the objects it adds beside the app, if any.
 */
function customisationComponent(environment: EnvironmentName, example: CustomisationExample, { patches, objects: besides, targetNamespace }: CustomisationPatches): RenderedFile[] {
  const dir = `customise/${example.name}`;
  const target = { group: FLUX_KUSTOMIZE_API.split('/')[0], kind: 'Kustomization', name: BUNDLE_NAMES.app };
  const component = { apiVersion: COMPONENT_API, kind: 'Component', patches: [{ path: COMPONENT_PATCHES, target }] };
  const appended = [
    ...patches.map((value) => ({ op: 'add', path: '/spec/patches/-', value })),
    ...(targetNamespace !== undefined ? [{ op: 'add', path: '/spec/targetNamespace', value: targetNamespace }] : []),
  ];
  return [
    { path: `${dir}/${KUSTOMIZATION_FILE}`, content: `${exampleHeader(environment, `an example customisation (${example.summary})`)}${toYaml(component)}` },
    { path: `${dir}/${COMPONENT_PATCHES}`, content: `${exampleHeader(environment, `the patches of ${example.name}, appended to the app's Kustomization`)}${toYaml(appended)}` },
    ...(besides.length > 0 ? [{ path: `${dir}/${BESIDE_FILE}`, content: `${exampleHeader(environment, `what ${example.name} adds beside the app: apply it once the app's namespace and Flagger's CRDs exist`)}${documents(besides)}` }] : []),
  ];
}

/** The folder of the Component that holds the app at one version. */
const HOLD = 'hold';

/**
 * A Component that holds the app at `version` (the app's source follows exactly that version
 * instead of the range): to stay on a release, or to go back to an earlier one, which Flagger then
 * rolls out like any release. Removing it from the overlay resumes following the range.
 */
function holdComponent(environment: EnvironmentName, version: string): RenderedFile[] {
  const target = { group: FLUX_SOURCE_API.split('/')[0], kind: 'OCIRepository', name: BUNDLE_NAMES.app };
  const component = { apiVersion: COMPONENT_API, kind: 'Component', patches: [{ path: COMPONENT_PATCHES, target }] };
  return [
    { path: `customise/${HOLD}/${KUSTOMIZATION_FILE}`, content: `${exampleHeader(environment, `holding the app at ${version}`)}${toYaml(component)}` },
    { path: `customise/${HOLD}/${COMPONENT_PATCHES}`, content: `${exampleHeader(environment, "the version the app's source follows while this is listed")}${toYaml([{ op: 'replace', path: '/spec/ref', value: { semver: version } }])}` },
  ];
}

export function renderProviderBundle(definition: DistributionDefinition, input: Omit<BundleInput, 'environment'>, upstream: string): RenderedFile[] {
  const { environment } = definition;
  const placed = providerBundle({ ...input, environment });
  const bundleHeader = header(environment, 'the provider bundle');
  const composed = composeDistribution(definition);
  const chosen = customisationExamples(composed, upstream);
  const components = chosen.flatMap((example) => customisationComponent(environment, example, customisationPatches(definition, example.customisation)));
  const files = placed.map(({ path, object }) => ({ path, content: bundleHeader + toYaml(object) }));
  const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files.map((f) => f.path) };
  const readme = { path: 'README.md', content: guide(composed, input, chosen) };
  return [{ path: KUSTOMIZATION_FILE, content: bundleHeader + toYaml(kustomization) }, ...files, ...components, ...holdComponent(environment, input.version), readme].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
