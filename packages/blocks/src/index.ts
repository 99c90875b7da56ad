export { ENVOY_IMAGE, ENVOY_VERSION, FLAGGER_VERSION, imageRef, type ImageLock, SHA256_DIGEST, LOADTESTER_IMAGE, LOADTESTER_VERSION, PODINFO_IMAGE, PODINFO_VERSION } from './images.js';
export { PODINFO } from './podinfo.js';
export { ENVIRONMENTS, ENVIRONMENT_PROFILES, FLAGGER_POD_LABELS, prometheusNamespace, type EnvironmentName, type EnvironmentProfile, type MeshProvider } from './environment.js';
export { CanaryshipError, DistributionError, formatIssue, type CanaryshipErrorOptions, type Issue } from './errors.js';
export { DURATION_PATTERN, durationSeconds, type Duration } from './duration.js';

export {
  FLAGGER_API_VERSION,
  type Canary,
  type CanaryAnalysis,
  type CanaryMetric,
  type CanaryService,
  type CanaryWebhook,
  type GatewayRef,
  type HttpMatchRequest,
  type MetricTemplate,
  type WebhookType,
} from './flagger/api.js';
export { buildCanary } from './flagger/canary.js';
export { flaggerGeneratedObjects, nameCollisions, type NameCollision, type ObjectName } from './flagger/generated.js';

export {
  abTesting,
  blueGreen,
  cookie,
  header,
  mirrored,
  progressive,
  STRATEGY_LABELS,
  type ABTesting,
  type BlueGreen,
  type BlueGreenMirroring,
  type CookieMatch,
  type HeaderMatch,
  type Progressive,
  type RouteMatch,
  type SessionAffinity,
  type StrategiesByEnvironment,
  type Strategy,
  type StrategyFor,
  type StrategyKind,
  type StrategyVariants,
} from './strategy/strategies.js';
export { analysisRuns, checkStrategy, supportedStrategies } from './strategy/schema.js';
export { regexLiteral, routeMatch, strategyFields } from './strategy/analysis.js';

export { measuresOutbound, OUTBOUND_STANDARD_ERRORS, sloQuery, type SloMetric } from './slo/queries.js';
export { canaryMetrics, metricsOf, metricTemplates, SLO_METRICS, SLO_RANGES, sloOfCheck, templatesFor, thresholdProblem } from './slo/metrics.js';

export { chainCheckName, chainWebhook, conformanceWebhook } from './webhooks/conformance.js';
export { chainMarker, chainScript } from './webhooks/chain.js';
export { CHECK_TIMEOUT_SECONDS, curl } from './webhooks/curl.js';
export { command, shellQuote } from './webhooks/shell.js';
export { LOAD_BODY, loadTestWebhooks, streamRate } from './webhooks/load-test.js';
export type { TestRunner } from './webhooks/test-runner.js';

export { serviceInputSchema, type ConformanceCheck, type ResourceList, type ServiceInput, type ServiceSpec } from './service/input.js';
export { defineService, type ServiceDefinition } from './service/define.js';
export { baseObjects, parseServiceInput, type ParsedService } from './service/parse.js';

export {
  hardenContainer,
  NON_ROOT_UID,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  scratchVolume,
} from './workload/hardening.js';
export { APP_LABELS, APP_NAME, commonLabels, podLabels, selectorLabels } from './workload/labels.js';
export { networkPolicies, type TrafficPath } from './workload/network-policies.js';
export { clusterIpService, disruptionBudget, type NamedPort } from './workload/selecting.js';
export { selectorMatches, type LabelSelector } from './workload/selectors.js';
export { configMapName, podinfoConfig, serviceObjects, serviceUrl, type ServiceObjects } from './workload/service-objects.js';

export { composeDistribution, type ComposedDistribution } from './distribution/compose.js';
export { defineDistribution, type DistributionDefinition, type EntryComponent, type ServiceRelease, type TestRunnerComponent } from './distribution/define.js';
export { FILE_BY_KIND, type KubernetesObject, type PlacedObject } from './distribution/objects.js';
export { KUSTOMIZATION_FIELDS, KUSTOMIZATION_FILE, RENDERED_BY, renderDistribution, type RenderedFile } from './distribution/render.js';
export { canonical, toYaml } from './distribution/serialize.js';

export { BUNDLE_NAMES, compatibleRange, FLAGGER_MANIFESTS, FLAGGER_OVERLAY, providerBundle, type BundleInput, type ReleaseSignature } from './provider/bundle.js';
export { predictedTicks, predictedWindow, strategyOf, weightSteps, type Analysis, type Scenario, type StrategyName, type Window } from './plan/schedule.js';
export { planCanary, type CanaryManifest, type CanaryPlan, type Exposure, type WeightPoint } from './plan/plan.js';
export { planChart, type MeasuredRun } from './plan/chart.js';
export { customisationPatches, customisationSurface, namespaceMentions, type Customisation, type CustomisationPatches, type Quantities } from './provider/customise.js';
export { FLUX_CONTENT_LAYER, FLUX_KUSTOMIZE_API, FLUX_NAMESPACE, FLUX_SOURCE_API, type FluxDuration, type OidcIdentity, type FluxKustomization, type FluxPatch, type OciReference, type OciRepository } from './provider/flux.js';
export { customisationExamples, renderProviderBundle, type CustomisationExample } from './provider/render.js';
