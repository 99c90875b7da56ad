/**
 * Runs the validation layers over rendered distributions and collects their findings. The layers
 * in this process run distribution by distribution; the ones that start programs run for all
 * distributions at once: the kustomize builds side by side, the SLO queries in one promtool pass.
 */
import { join } from 'node:path';
import { cacheRoot } from '@canaryship/toolchain';
import { LAYERS, type Finding, type Layer } from './finding.js';
import { kustomizeLayer } from './layers/kustomize.js';
import { policyLayer } from './layers/policy.js';
import { referencesLayer } from './layers/references.js';
import { createSchemaRegistry, type SchemaRegistry } from './layers/schema/registry.js';
import { schemaLayer } from './layers/schema/layer.js';
import { sloQueryLayers } from './layers/slo/layer.js';
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

/**
 * Schemas of the pinned Kubernetes and Flagger releases; one registry per process, so each kind
 * compiles once, and compiled validators kept in `~/.cache/canaryship/schemas` for later runs.
 */
export const defaultSchemaRegistry = (): Promise<SchemaRegistry> =>
  (pinned ??= (async () =>
    createSchemaRegistry({ openApiDir: await kubernetesOpenApiDir(), crdFiles: [await flaggerCrdFile()], cacheDir: join(cacheRoot(), 'schemas') }))());

/** Findings per distribution, in the order given; within one, in layer order. */
export async function validateDistributions(distributions: readonly Distribution[], options: ValidateOptions = {}): Promise<Finding[][]> {
  const layers = new Set(options.layers ?? LAYERS);
  const progress = options.onProgress ?? (() => undefined);
  const names = distributions.map((d) => d.name).join(', ');
  const external = Promise.all([
    layers.has('kustomize') ? (progress(`${names}: kustomize`), Promise.all(distributions.map(kustomizeLayer))) : distributions.map(() => []),
    layers.has('slo-queries') ? (progress(`${names}: slo-queries`), sloQueryLayers(distributions)) : distributions.map(() => []),
  ]);
  const inProcess: Finding[][] = [];
  for (const distribution of distributions) {
    const findings: Finding[] = [];
    if (layers.has('schema')) findings.push(...(await schemaLayer(distribution, options.schemas ?? (await defaultSchemaRegistry()))));
    if (layers.has('references')) findings.push(...referencesLayer(distribution));
    if (layers.has('policy')) findings.push(...policyLayer(distribution));
    inProcess.push(findings);
  }
  const [kustomize, slo] = await external;
  return distributions.map((_, i) => [...(inProcess[i] ?? []), ...(kustomize[i] ?? []), ...(slo[i] ?? [])]);
}

export async function validateDistribution(distribution: Distribution, options: ValidateOptions = {}): Promise<Finding[]> {
  return (await validateDistributions([distribution], options))[0] ?? [];
}
