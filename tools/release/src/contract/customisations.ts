/**
 * Customisations that a release would break: every one a provider may have written against the
 * published distribution (`customisationSurface`), as patches against it, applied to the new
 * distribution by kustomize v5 (the engine of Flux's kustomize-controller) exactly as a provider's
 * Kustomization applies its `patches` and `targetNamespace`. One build for all of them; only when
 * it fails, one build per customisation, to name each that no longer applies. A namespace move
 * also has to still move everything: an object of the new release whose strings name the old
 * namespace after it (a service added since, whose webhooks the old move never saw) breaks it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { customisationPatches, customisationSurface, namespaceMentions, type ComposedDistribution, type CustomisationPatches, type EnvironmentName, type KubernetesObject, type PlacedObject } from '@canaryship/blocks';
import { run, toolPath, ToolFailed } from '@canaryship/toolchain';
import { loadDistribution, type Manifest } from '@canaryship/validate';
import { parseAllDocuments, stringify } from 'yaml';
import { PublishError } from '../errors.js';
import type { BreakingChange, ObjectsById } from './breaking.js';

/** A published distribution, read back, as the customisation functions take it. */
export function composedFrom(environment: EnvironmentName, objects: ObjectsById): ComposedDistribution {
  const placed: PlacedObject[] = [...objects.values()].map((object) => ({ path: '', object }));
  const namespace = [...objects.values()].find((o) => o['kind'] === 'Namespace')?.['metadata']?.['name'];
  return { environment, namespace: typeof namespace === 'string' ? namespace : '', objects: placed };
}

/** What kustomize builds from `distDir` with these customisations (patches, and a namespace move), or why it refuses. */
async function build(distDir: string, customisations: readonly CustomisationPatches[], kustomize: string): Promise<{ objects: Manifest[] } | { refused: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'canaryship-contract-'));
  const namespace = customisations.find((c) => c.targetNamespace !== undefined)?.targetNamespace;
  try {
    const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [relative(dir, distDir)], ...(namespace && { namespace }), patches: customisations.flatMap((c) => c.patches) };
    await writeFile(join(dir, 'kustomization.yaml'), stringify(kustomization));
    const { stdout } = await run(kustomize, ['build', dir]);
    return { objects: parseAllDocuments(stdout).map((d) => d.toJS() as Manifest) };
  } catch (error) {
    if (!(error instanceof ToolFailed)) throw error;
    // kustomize nests every cause in one line; the innermost (last) part says what failed.
    const line = error.output.trim().split('\n').find((l) => /error/i.test(l))?.replace(/^Error:\s*/, '') ?? error.output.trim();
    return { refused: line.length > 300 ? `…${line.slice(-300)}` : line };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** After a namespace move, each object whose strings still name the old namespace, and where: the move no longer does what it says. */
const leftBehind = (objects: readonly Manifest[], from: string): { object: string; paths: string[] }[] =>
  objects.flatMap((o) => {
    const paths = namespaceMentions(o as KubernetesObject, from, `${from}-moved`).map((m) => m.path);
    return paths.length > 0 ? [{ object: `${o['kind']}/${from}/${o['metadata']?.name}`, paths }] : [];
  });

const unbuildable = (distDir: string, why: string): PublishError => new PublishError(`${distDir} ${why}`, { code: 'contract.unbuildable', hint: 'render it again (npm run build) and validate it' });

export async function customisationBreaks(published: ComposedDistribution, distDir: string): Promise<BreakingChange[]> {
  // kustomize builds the distribution only once it is known to name nothing beyond itself (no URL, no outside file).
  await loadDistribution(distDir).catch((error: Error) => {
    throw unbuildable(distDir, `is not a distribution kustomize may build: ${error.message}`);
  });
  const kustomize = await toolPath('kustomize');
  const plain = await build(distDir, [], kustomize);
  if ('refused' in plain) throw unbuildable(distDir, `does not build with kustomize: ${plain.refused}`);
  const written = customisationSurface(published).map(({ summary, customisation }) => ({ summary, customisation: customisationPatches(published, customisation) }));
  // The patches together first (one build when they all apply); a namespace move on its own, since
  // what other customisations add (a gate's URL) names the namespace they were written for.
  const moves = written.filter((w) => w.customisation.targetNamespace !== undefined);
  const patches = written.filter((w) => w.customisation.targetNamespace === undefined);
  const together = await build(distDir, patches.map((w) => w.customisation), kustomize);
  const breaks: BreakingChange[] = [];
  for (const { summary, customisation } of [...('refused' in together ? patches : []), ...moves]) {
    const built = await build(distDir, [customisation], kustomize);
    const target = customisation.patches[0]?.target;
    if ('refused' in built) {
      breaks.push({ kind: 'customisation-broken', object: `${target?.kind}/${published.namespace}/${target?.name}`, detail: `a patch to ${summary} no longer applies: ${built.refused}`, affects: `providers who ${summary}` });
      continue;
    }
    if (customisation.targetNamespace === undefined) continue;
    for (const left of leftBehind(built.objects, published.namespace)) {
      const paths = left.paths.slice(0, 3).join(', ') + (left.paths.length > 3 ? ` and ${left.paths.length - 3} more` : '');
      breaks.push({ kind: 'customisation-broken', object: left.object, detail: `the customisation to ${summary} written for the published version leaves ${paths} naming "${published.namespace}"`, affects: `providers who ${summary}` });
    }
  }
  return breaks;
}
