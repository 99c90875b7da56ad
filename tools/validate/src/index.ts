export { fieldPath, formatFinding, LAYERS, type Finding, type Layer } from './finding.js';
export { distributionOf, DistributionUnreadable, LOAD_LIMITS, loadDistribution, objectKey, type Distribution, type LoadedObject, type Manifest } from './load.js';
export { defaultSchemaRegistry, validateDistribution, validateDistributions, type ValidateOptions } from './validate.js';
export { createSchemaRegistry, type SchemaRegistry, type SchemaSources } from './layers/schema/registry.js';
export { rejectUnknownFields } from './layers/schema/strict.js';
export { kustomizeBuild } from './layers/kustomize.js';
export { renderTemplate } from './layers/slo/layer.js';
export { EXPECTED, SCENARIO, SERIES_SHAPES, syntheticSeries, type SeriesNames, type SeriesShape, type SeriesShapeSpec } from './layers/slo/series.js';
export { flaggerCrdFile, kubernetesOpenApiDir } from './upstream.js';
