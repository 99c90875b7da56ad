/**
 * Customisations that a release would break: every one a provider may have written against the
 * published distribution (`customisationSurface`), as patches against it, applied to the new
 * distribution by kustomize v5 (the engine of Flux's kustomize-controller) exactly as a provider's
 * Kustomization applies its `patches`. One build for all of them; only when it fails, one build
 * per customisation, to name each that no longer applies.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { customisationPatches, customisationSurface, type ComposedDistribution, type EnvironmentName, type FluxPatch, type PlacedObject } from '@canaryship/blocks';
import { run, toolPath, ToolFailed } from '@canaryship/toolchain';
import { loadDistribution } from '@canaryship/validate';
import { stringify } from 'yaml';
import { PublishError } from '../errors.js';
import type { BreakingChange, ObjectsById } from './breaking.js';

/** A published distribution, read back, as the customisation functions take it. */
export function composedFrom(environment: EnvironmentName, objects: ObjectsById): ComposedDistribution {
  const placed: PlacedObject[] = [...objects.values()].map((object) => ({ path: '', object }));
  const namespace = [...objects.values()].find((o) => o['kind'] === 'Namespace')?.['metadata']?.['name'];
  return { environment, namespace: typeof namespace === 'string' ? namespace : '', objects: placed };
}

/** Why kustomize refuses `patches` on `distDir`; undefined when they apply. */
async function refusal(distDir: string, patches: readonly FluxPatch[], kustomize: string): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'canaryship-contract-'));
  try {
    await writeFile(join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [relative(dir, distDir)], patches }));
    await run(kustomize, ['build', dir]);
    return undefined;
  } catch (error) {
    if (!(error instanceof ToolFailed)) throw error;
    // kustomize nests every cause in one line; the innermost (last) part says what failed.
    const line = error.output.trim().split('\n').find((l) => /error/i.test(l))?.replace(/^Error:\s*/, '') ?? error.output.trim();
    return line.length > 300 ? `…${line.slice(-300)}` : line;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const unbuildable = (distDir: string, why: string): PublishError => new PublishError(`${distDir} ${why}`, { code: 'contract.unbuildable', hint: 'render it again (npm run build) and validate it' });

export async function customisationBreaks(published: ComposedDistribution, distDir: string): Promise<BreakingChange[]> {
  // kustomize builds the distribution only once it is known to name nothing beyond itself (no URL, no outside file).
  await loadDistribution(distDir).catch((error: Error) => {
    throw unbuildable(distDir, `is not a distribution kustomize may build: ${error.message}`);
  });
  const kustomize = await toolPath('kustomize');
  const refused = await refusal(distDir, [], kustomize);
  if (refused !== undefined) throw unbuildable(distDir, `does not build with kustomize: ${refused}`);
  const written = customisationSurface(published).map(({ summary, customisation }) => ({ summary, ...customisationPatches(published, customisation) }));
  if ((await refusal(distDir, written.flatMap((w) => w.patches), kustomize)) === undefined) return [];
  const breaks: BreakingChange[] = [];
  for (const { summary, patches } of written) {
    const why = await refusal(distDir, patches, kustomize);
    if (why === undefined) continue;
    const target = patches[0]?.target;
    breaks.push({
      kind: 'customisation-broken',
      object: `${target?.kind}/${published.namespace}/${target?.name}`,
      detail: `a patch to ${summary} no longer applies: ${why}`,
      affects: `providers who ${summary}`,
    });
  }
  return breaks;
}
