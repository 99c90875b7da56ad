/** Runs the validation layers over rendered distributions and collects their findings. */
import { LAYERS, type Finding, type Layer } from './finding.js';
import { kustomizeLayer } from './layers/kustomize.js';
import { policyLayer } from './layers/policy.js';
import { referencesLayer } from './layers/references.js';
import { createSchemaRegistry, type SchemaRegistry } from './layers/schema/registry.js';
import { schemaLayer } from './layers/schema/layer.js';
import { sloQueryLayer } from './layers/slo/layer.js';
import type { Distribution } from './load.js';
import { flaggerCrdFile, kubernetesOpenApiDir } from './upstream.js';

export interface ValidateOptions {
  /** Layers to run; all by default. */
  readonly layers?: readonly Layer[];
  /** Reused across distributions so each schema compiles once. */
  readonly schemas?: SchemaRegistry;
  readonly onProgress?: (message: string) => void;
}

let pinned: Promise<SchemaRegistry> | undefined;

/** Schemas of the pinned Kubernetes and Flagger releases; one registry per process, so each kind compiles once. */
export const defaultSchemaRegistry = (): Promise<SchemaRegistry> =>
  (pinned ??= (async () => createSchemaRegistry({ openApiDir: await kubernetesOpenApiDir(), crdFiles: [await flaggerCrdFile()] }))());

export async function validateDistribution(distribution: Distribution, options: ValidateOptions = {}): Promise<Finding[]> {
  const layers = new Set(options.layers ?? LAYERS);
  const findings: Finding[] = [];
  const step = async (layer: Layer, work: () => Finding[] | Promise<Finding[]>): Promise<void> => {
    if (!layers.has(layer)) return;
    options.onProgress?.(`${distribution.name}: ${layer}`);
    findings.push(...(await work()));
  };
  await step('schema', async () => schemaLayer(distribution, options.schemas ?? (await defaultSchemaRegistry())));
  await step('references', () => referencesLayer(distribution));
  await step('policy', () => policyLayer(distribution));
  await step('kustomize', () => kustomizeLayer(distribution));
  await step('slo-queries', () => sloQueryLayer(distribution));
  return findings;
}
