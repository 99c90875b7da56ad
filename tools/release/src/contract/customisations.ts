/**
 * Customisations that a release would break: every one a provider may have written against the
 * published distribution (`customisationSurface`), as patches against it, applied to the new
 * distribution by kustomize v5 (the engine of Flux's kustomize-controller) exactly as a provider's
 * Kustomization applies its `patches` and `targetNamespace`. One build for all of them; only when
 * it fails, one build per customisation, to name each that no longer applies. A namespace move
 * also has to still move everything: an object of the new release whose strings name the old
 * namespace after it (a service added since, whose webhooks the old move never saw) breaks it.
 */
import { relative } from 'node:path';
import { customisationPatches, customisationSurface, regexLiteral, type ComposedDistribution, type CustomisationPatches, type EnvironmentName, type FluxPatch, type PlacedObject } from '@canaryship/blocks';
import { buildInScratch, KustomizeRefused, loadDistribution, type Manifest } from '@canaryship/validate';
import { parseAllDocuments } from 'yaml';
import { PublishError } from '../errors.js';
import type { BreakingChange, ObjectsById } from './breaking.js';

/** A published distribution, read back, as the customisation functions take it. */
export function composedFrom(environment: EnvironmentName, objects: ObjectsById): ComposedDistribution {
  const placed: PlacedObject[] = [...objects.values()].map((object) => ({ path: '', object }));
  const namespace = [...objects.values()].find((o) => o['kind'] === 'Namespace')?.['metadata']?.['name'];
  return { environment, namespace: typeof namespace === 'string' ? namespace : '', objects: placed };
}

/** What kustomize builds from `distDir` with these customisations (patches, and a namespace move), or why it refuses. */
async function build(distDir: string, customisations: readonly CustomisationPatches[]): Promise<{ objects: Manifest[] } | { refused: string }> {
  const namespace = customisations.find((c) => c.targetNamespace !== undefined)?.targetNamespace;
  const patches = customisations.flatMap((c) => c.patches);
  try {
    const built = await buildInScratch((dir) => ({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [relative(dir, distDir)], ...(namespace && { namespace }), patches }));
    return { objects: parseAllDocuments(built).map((d) => d.toJS() as Manifest) };
  } catch (error) {
    if (error instanceof KustomizeRefused) return { refused: error.message };
    throw error;
  }
}

/**
 * After a namespace move, each object with a string that still names the old namespace (the app's
 * name in its part-of label aside), and where. Deliberately wider than the rule the move itself
 * follows (`namespaceMentions`): the namespace as a word anywhere, so what that rule misses shows.
 */
function leftBehind(objects: readonly Manifest[], from: string): { object: string; paths: string[] }[] {
  const word = new RegExp(`(^|[^a-z0-9-])${regexLiteral(from)}($|[^a-z0-9-])`);
  const found = (value: unknown, at: string): string[] => {
    if (typeof value === 'string') return word.test(value) && !at.endsWith('/app.kubernetes.io~1part-of') ? [at] : [];
    if (Array.isArray(value)) return value.flatMap((item, i) => found(item, `${at}/${i}`));
    if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => found(item, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`));
    return [];
  };
  return objects.flatMap((o) => {
    const paths = found(o, '');
    return paths.length > 0 ? [{ object: `${o['kind']}/${from}/${o['metadata']?.name}`, paths }] : [];
  });
}

/** Which of a customisation's patches kustomize refuses, each alone, and why (a move patches many objects). */
async function refusedPatches(distDir: string, customisation: CustomisationPatches): Promise<{ patch: FluxPatch; why: string }[]> {
  if (customisation.patches.length === 1) return [];
  const refusals = await Promise.all(customisation.patches.map(async (patch) => ({ patch, built: await build(distDir, [{ ...customisation, patches: [patch] }]) })));
  return refusals.flatMap(({ patch, built }) => ('refused' in built ? [{ patch, why: built.refused }] : []));
}

const unbuildable = (distDir: string, why: string): PublishError => new PublishError(`${distDir} ${why}`, { code: 'contract.unbuildable', hint: 'render it again (npm run build) and validate it' });

export async function customisationBreaks(published: ComposedDistribution, distDir: string): Promise<BreakingChange[]> {
  // kustomize builds the distribution only once it is known to name nothing beyond itself (no URL, no outside file).
  await loadDistribution(distDir).catch((error: Error) => {
    throw unbuildable(distDir, `is not a distribution kustomize may build: ${error.message}`);
  });
  const plain = await build(distDir, []);
  if ('refused' in plain) throw unbuildable(distDir, `does not build with kustomize: ${plain.refused}`);
  const written = customisationSurface(published).map(({ summary, customisation }) => ({ summary, customisation: customisationPatches(published, customisation) }));
  // The patches together first (one build when they all apply); a namespace move on its own, since
  // what other customisations add (a gate's URL) names the namespace they were written for.
  const moves = written.filter((w) => w.customisation.targetNamespace !== undefined);
  const patches = written.filter((w) => w.customisation.targetNamespace === undefined);
  const together = await build(distDir, patches.map((w) => w.customisation));
  const breaks: BreakingChange[] = [];
  for (const { summary, customisation } of [...('refused' in together ? patches : []), ...moves]) {
    const built = await build(distDir, [customisation]);
    const affects = `providers who ${summary}`;
    if ('refused' in built) {
      const each = await refusedPatches(distDir, customisation);
      const refused = each.length > 0 ? each : [{ patch: customisation.patches[0], why: built.refused }];
      for (const { patch, why } of refused) {
        breaks.push({ kind: 'customisation-broken', object: `${patch?.target.kind}/${published.namespace}/${patch?.target.name}`, detail: `a patch to ${summary} no longer applies: ${why}`, affects });
      }
      continue;
    }
    if (customisation.targetNamespace === undefined) continue;
    for (const left of leftBehind(built.objects, published.namespace)) {
      const paths = left.paths.slice(0, 3).join(', ') + (left.paths.length > 3 ? ` and ${left.paths.length - 3} more` : '');
      breaks.push({ kind: 'customisation-broken', object: left.object, detail: `the customisation to ${summary} written for the published version leaves ${paths} naming "${published.namespace}"`, affects });
    }
  }
  return breaks;
}
