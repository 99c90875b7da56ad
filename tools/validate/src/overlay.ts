/**
 * A provider's kustomize overlay over a distribution, checked before anything applies it: what
 * kustomize builds from it goes through the in-process layers, and every patch in it has to change
 * something. kustomize (and Flux's kustomize-controller, which runs it) skips without a word a
 * patch whose target matches no object, so a misspelt name would silently drop a customisation.
 *
 * Which patch changes nothing is found by building the overlay with the patches before it and
 * with it, and comparing, rather than by matching targets here: kustomize's selectors (anchored
 * regular expressions, label and annotation selectors, group and version) are kustomize's to
 * interpret, and a patch is judged on what the patches before it made, in kustomize's order.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { Finding } from './finding.js';
import { DistributionUnreadable, LOAD_LIMITS, objectKey, type Distribution, type Manifest } from './load.js';
import { buildInScratch, KustomizeRefused } from './scratch-build.js';

/** The fields an overlay may have here: the ones whose paths are known, so the overlay builds the same from elsewhere. */
const OVERLAY_FIELDS = ['apiVersion', 'kind', 'resources', 'components', 'patches', 'namespace', 'namePrefix', 'nameSuffix', 'labels', 'commonLabels', 'commonAnnotations', 'images', 'replicas'] as const;
/** The names kustomize reads a kustomization from, in its order. */
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;
/** Far above any provider's overlay; each patch costs one kustomize build. */
export const OVERLAY_LIMITS = { bytes: 1 << 20, patches: 200 } as const;

interface OverlayPatch {
  readonly path?: string;
  readonly patch?: string;
  readonly target?: Readonly<Record<string, unknown>>;
}

export interface CheckedOverlay {
  /** What kustomize builds from the overlay, as the layers read a distribution. */
  readonly distribution: Distribution;
  /** Patches that change nothing, each naming its index and target. */
  readonly findings: readonly Finding[];
}

/** A URL, a git host path, `git@host:…` or `git::…`: kustomize would fetch it. */
const isRemote = (entry: string): boolean =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) || /^[\w.-]+@[\w.-]+:/.test(entry) || entry.startsWith('git::');

/** The overlay's kustomization, with every path it names absolute, so a copy elsewhere builds the same. */
async function readOverlay(dir: string): Promise<{ kustomization: Record<string, unknown>; patches: OverlayPatch[] }> {
  const found = await Promise.all(KUSTOMIZATION_FILES.map(async (name) => ({ file: join(dir, name), size: (await stat(join(dir, name)).catch(() => undefined))?.size })));
  const { file, size } = found.find((f) => f.size !== undefined) ?? {};
  if (file === undefined || size === undefined) throw new DistributionUnreadable(`${dir} has no kustomization.yaml`, 'give the directory of your overlay (the one you run kustomize build or kubectl apply -k on)');
  if (size > OVERLAY_LIMITS.bytes) throw new DistributionUnreadable(`${file} has ${size} bytes; the limit is ${OVERLAY_LIMITS.bytes}`);
  let kustomization: unknown;
  try {
    kustomization = parse(await readFile(file, 'utf8'), { maxAliasCount: 100 });
  } catch (error) {
    throw new DistributionUnreadable(`${file}: invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof kustomization !== 'object' || kustomization === null || Array.isArray(kustomization)) throw new DistributionUnreadable(`${file} is not a kustomization (a YAML mapping)`);
  const fields = kustomization as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((f) => !(OVERLAY_FIELDS as readonly string[]).includes(f));
  if (unknown.length > 0) throw new DistributionUnreadable(`${file} has ${unknown.map((f) => `\`${f.slice(0, 60)}\``).join(', ')}: validate --overlay reads ${OVERLAY_FIELDS.slice(2).join(', ')}`);
  const absolute = (field: string, entry: unknown, kind: 'root' | 'file'): string => {
    if (typeof entry !== 'string') throw new DistributionUnreadable(`${file}: ${field} holds ${JSON.stringify(entry)?.slice(0, 60)}, not a path`);
    if (isRemote(entry)) throw new DistributionUnreadable(`${file}: ${field} names ${entry.slice(0, 100)}, a remote resource: validate checks what is on this machine`, 'pull it (flux pull artifact) and name the directory');
    // kustomize refuses an absolute path as a resource or component root; as a patch file it reads one.
    if (isAbsolute(entry) && kind === 'root') throw new DistributionUnreadable(`${file}: ${field} is the absolute path ${entry.slice(0, 100)}, which kustomize refuses: name it relative to the overlay`);
    return resolve(dir, entry);
  };
  const list = (field: string): unknown[] => {
    const value = fields[field] ?? [];
    if (!Array.isArray(value)) throw new DistributionUnreadable(`${file}: ${field} must be a list`);
    return value;
  };
  const patches = list('patches').map((p, i): OverlayPatch => {
    if (typeof p !== 'object' || p === null) throw new DistributionUnreadable(`${file}: patches[${i}] is not a patch (path or patch, and a target)`);
    const { path, ...rest } = p as OverlayPatch;
    return path === undefined ? rest : { ...rest, path: absolute(`patches[${i}].path`, path, 'file') };
  });
  if (patches.length > OVERLAY_LIMITS.patches) throw new DistributionUnreadable(`${file} has ${patches.length} patches; the limit is ${OVERLAY_LIMITS.patches}`);
  return {
    kustomization: {
      ...fields,
      resources: list('resources').map((r, i) => absolute(`resources[${i}]`, r, 'root')),
      ...(fields['components'] !== undefined && { components: list('components').map((c, i) => absolute(`components[${i}]`, c, 'root')) }),
      patches,
    },
    patches,
  };
}

/** buildInScratch, with kustomize's refusal said as what the user gave (`what`) not building. */
async function buildOrRefuse(what: string, write: (dir: string) => Record<string, unknown>): Promise<string> {
  try {
    return await buildInScratch(write);
  } catch (error) {
    if (error instanceof KustomizeRefused) throw new DistributionUnreadable(`${what} does not build with kustomize: ${error.message}`);
    throw error;
  }
}

/** The overlay's kustomization with only `patches`, built from a scratch directory (its paths made relative to it). */
const build = (kustomization: Record<string, unknown>, patches: readonly OverlayPatch[], overlay: string): Promise<string> =>
  buildOrRefuse(overlay, (dir) => {
    const from = (paths: unknown): string[] => (paths as string[]).map((p) => relative(dir, p));
    return {
      ...kustomization,
      resources: from(kustomization['resources']),
      ...(kustomization['components'] !== undefined && { components: from(kustomization['components']) }),
      patches: patches.map((p) => (p.path === undefined ? p : { ...p, path: relative(dir, p.path) })),
    };
  });

const describeTarget = (patch: OverlayPatch): string => {
  const target = patch.target ?? {};
  const named = ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'].filter((k) => typeof target[k] === 'string').map((k) => `${k} ${String(target[k])}`);
  return named.length > 0 ? named.join(', ') : patch.path ? `the kind and name in ${basename(patch.path)}` : 'the kind and name in the patch';
};

/**
 * Builds with the first 0, 1, … all of `patches` and reports each patch after which nothing
 * changed; returns the last build (all patches) too.
 */
async function patchByPatch(patches: readonly OverlayPatch[], buildWith: (patches: readonly OverlayPatch[]) => Promise<string>, finding: (index: number, patch: OverlayPatch) => Finding): Promise<{ built: string; findings: Finding[] }> {
  const builds: string[] = [];
  for (let count = 0; count <= patches.length; count += 1) builds.push(await buildWith(patches.slice(0, count)));
  return { built: builds.at(-1)!, findings: patches.flatMap((patch, index) => (builds[index + 1] === builds[index] ? [finding(index, patch)] : [])) };
}

const changesNothing = (distribution: string, file: string, path: string, patch: OverlayPatch): Finding => ({
  layer: 'references',
  rule: 'references.patch-changes-nothing',
  severity: 'error',
  distribution,
  file,
  path,
  message: `changes nothing (target: ${describeTarget(patch)}): no object matches its target, or it sets what is already there; kustomize and Flux skip it without a word`,
});

/** Objects of a build, bounded as a distribution's files are. */
function objectsOf(built: string, what: string): Manifest[] {
  if (Buffer.byteLength(built) > LOAD_LIMITS.totalBytes) throw new DistributionUnreadable(`${what} builds ${Buffer.byteLength(built)} bytes of objects; the limit is ${LOAD_LIMITS.totalBytes}`);
  const documents = parseAllDocuments(built);
  if (documents.length > LOAD_LIMITS.documents) throw new DistributionUnreadable(`${what} builds ${documents.length} objects; the limit is ${LOAD_LIMITS.documents}`);
  return documents.map((d) => d.toJS({ maxAliasCount: 100 }) as Manifest).filter((o) => o !== null);
}

const isFluxKustomization = (o: Manifest): boolean => o['kind'] === 'Kustomization' && String(o['apiVersion']).startsWith('kustomize.toolkit.fluxcd.io/');

/**
 * The app as Flux would apply it from a subscription: the release (a directory, as `flux pull
 * artifact` leaves it) with the app Kustomization's `patches` and `targetNamespace`, each patch
 * judged as in an overlay.
 */
async function checkSubscription(app: Manifest, release: string, name: string): Promise<{ objects: Manifest[]; findings: Finding[] }> {
  const spec = (app['spec'] ?? {}) as { patches?: OverlayPatch[]; targetNamespace?: string };
  const patches = Array.isArray(spec.patches) ? spec.patches : [];
  if (patches.length > OVERLAY_LIMITS.patches) throw new DistributionUnreadable(`Kustomization ${app['metadata']?.name} has ${patches.length} patches; the limit is ${OVERLAY_LIMITS.patches}`);
  const root = await realpath(resolve(release)).catch(() => {
    throw new DistributionUnreadable(`${release} does not exist`, 'give the release the subscription follows, as flux pull artifact leaves it');
  });
  const buildWith = (some: readonly OverlayPatch[]): Promise<string> =>
    buildOrRefuse(`${release} with the patches of Kustomization ${app['metadata']?.name}`, (dir) => ({ resources: [relative(dir, root)], ...(spec.targetNamespace && { namespace: spec.targetNamespace }), patches: some }));
  const { built, findings } = await patchByPatch(patches, buildWith, (index, patch) => changesNothing(name, `Kustomization/${app['metadata']?.name}`, `spec.patches[${index}]`, patch));
  return { objects: objectsOf(built, release), findings };
}

export async function checkOverlay(dir: string, options: { readonly release?: string } = {}): Promise<CheckedOverlay> {
  // As kustomize reads it: through any symlink to the directory itself.
  const root = await realpath(resolve(dir)).catch(() => resolve(dir));
  const { kustomization, patches } = await readOverlay(root);
  const name = basename(root);
  const { built, findings } = await patchByPatch(patches, (some) => build(kustomization, some, dir), (index, patch) => changesNothing(name, 'kustomization.yaml', `patches[${index}]`, patch));
  const objects = objectsOf(built, dir);
  const distribution = (list: readonly Manifest[]): Distribution => ({ name, dir: root, objects: list.map((object) => ({ file: 'kustomize build', object, id: objectKey(object) })) });
  // A subscription: Flux applies the app from the release, with the app Kustomization's patches.
  const subscribed = objects.filter(isFluxKustomization).filter((k) => Array.isArray(k['spec']?.['patches']) || k['spec']?.['targetNamespace'] !== undefined);
  if (subscribed.length === 0) return { distribution: distribution(objects), findings };
  if (subscribed.length > 1) throw new DistributionUnreadable(`${dir} builds ${subscribed.length} Flux Kustomizations with patches (${subscribed.map((k) => k['metadata']?.name).join(', ')}); validate --overlay checks one app's`);
  if (options.release === undefined) throw new DistributionUnreadable(`${dir} subscribes with Flux: its customisations are patches Flux applies to the release`, 'give --release DIR, the release as flux pull artifact leaves it, to check them against it');
  const app = await checkSubscription(subscribed[0]!, options.release, name);
  return { distribution: distribution(app.objects), findings: [...findings, ...app.findings] };
}
