/**
 * A provider's kustomize overlay over a distribution, checked before anything applies it: what
 * kustomize builds from it goes through the in-process layers, and every patch in it has to change
 * something. kustomize (and Flux's kustomize-controller, which runs it) skips without a word a
 * patch whose target matches no object, so a misspelt name would silently drop a customisation.
 *
 * Which patch changes nothing is found by building the overlay without it and comparing, rather
 * than by matching targets here: kustomize's selectors (anchored regular expressions, label and
 * annotation selectors, group and version) are kustomize's to interpret.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { run, toolPath, ToolFailed } from '@canaryship/toolchain';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { Finding } from './finding.js';
import { DistributionUnreadable, objectKey, type Distribution, type Manifest } from './load.js';

/** The fields an overlay may have here: the ones whose paths are known, so the overlay builds the same from elsewhere. */
const OVERLAY_FIELDS = ['apiVersion', 'kind', 'resources', 'components', 'patches', 'namespace', 'namePrefix', 'nameSuffix', 'labels', 'commonLabels', 'commonAnnotations', 'images', 'replicas'] as const;
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

const isRemote = (entry: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry);

/** The overlay's kustomization, with every path it names made absolute, so a copy elsewhere builds the same. */
async function readOverlay(dir: string): Promise<{ kustomization: Record<string, unknown>; patches: OverlayPatch[] }> {
  const file = join(dir, 'kustomization.yaml');
  const size = (await stat(file).catch(() => undefined))?.size;
  if (size === undefined) throw new DistributionUnreadable(`${dir} has no kustomization.yaml`, 'give the directory of your overlay (the one you run kustomize build or kubectl apply -k on)');
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
  const absolute = (field: string, entry: unknown): string => {
    if (typeof entry !== 'string') throw new DistributionUnreadable(`${file}: ${field} holds ${JSON.stringify(entry)?.slice(0, 60)}, not a path`);
    if (isRemote(entry)) throw new DistributionUnreadable(`${file}: ${field} names ${entry.slice(0, 100)}, a remote resource: validate checks what is on this machine`, 'pull it (flux pull artifact) and name the directory');
    return isAbsolute(entry) ? entry : resolve(dir, entry);
  };
  const list = (field: string): unknown[] => {
    const value = fields[field] ?? [];
    if (!Array.isArray(value)) throw new DistributionUnreadable(`${file}: ${field} must be a list`);
    return value;
  };
  const patches = list('patches').map((p, i): OverlayPatch => {
    if (typeof p !== 'object' || p === null) throw new DistributionUnreadable(`${file}: patches[${i}] is not a patch (path or patch, and a target)`);
    const { path, ...rest } = p as OverlayPatch;
    return path === undefined ? rest : { ...rest, path: absolute(`patches[${i}].path`, path) };
  });
  if (patches.length > OVERLAY_LIMITS.patches) throw new DistributionUnreadable(`${file} has ${patches.length} patches; the limit is ${OVERLAY_LIMITS.patches}`);
  return {
    kustomization: {
      ...fields,
      resources: list('resources').map((r, i) => absolute(`resources[${i}]`, r)),
      ...(fields['components'] !== undefined && { components: list('components').map((c, i) => absolute(`components[${i}]`, c)) }),
      patches,
    },
    patches,
  };
}

/** The kustomization with its absolute paths made relative to `dir` (kustomize takes no absolute root). */
function relativeTo(dir: string, kustomization: Record<string, unknown>): Record<string, unknown> {
  const paths = (field: string): Record<string, unknown> => (Array.isArray(kustomization[field]) ? { [field]: (kustomization[field] as string[]).map((p) => relative(dir, p)) } : {});
  const patches = (kustomization['patches'] as OverlayPatch[]).map((p) => (p.path === undefined ? p : { ...p, path: relative(dir, p.path) }));
  return { ...kustomization, ...paths('resources'), ...paths('components'), patches };
}

/** `kustomize build` of `kustomization` from a scratch directory (it may read only what the overlay names). */
async function build(kustomization: Record<string, unknown>, overlay: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'canaryship-overlay-'));
  try {
    await writeFile(join(dir, 'kustomization.yaml'), stringify(relativeTo(dir, kustomization)));
    const { stdout } = await run(await toolPath('kustomize'), ['build', '--load-restrictor', 'LoadRestrictionsNone', dir]);
    return stdout;
  } catch (error) {
    // Only kustomize refusing the overlay is the overlay's fault; a kustomize that did not run to the end is not.
    if (!(error instanceof ToolFailed) || typeof error.exit !== 'number') throw error;
    const line = error.output.trim().split('\n').find((l) => /error/i.test(l))?.replace(/^Error:\s*/, '') ?? error.output.trim();
    throw new DistributionUnreadable(`${overlay} does not build with kustomize: ${line.slice(0, 400)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const describeTarget = (patch: OverlayPatch): string => {
  const target = patch.target ?? {};
  const named = ['kind', 'name', 'namespace'].filter((k) => typeof target[k] === 'string').map((k) => `${k} ${String(target[k])}`);
  return named.length > 0 ? named.join(', ') : patch.path ? basename(patch.path) : 'its own kind and name';
};

export async function checkOverlay(dir: string): Promise<CheckedOverlay> {
  const root = resolve(dir);
  const { kustomization, patches } = await readOverlay(root);
  const built = await build(kustomization, dir);
  const name = basename(root);
  const objects = parseAllDocuments(built).map((d) => d.toJS() as Manifest).filter((o) => o !== null);
  const findings: Finding[] = [];
  for (const [index, patch] of patches.entries()) {
    const without = await build({ ...kustomization, patches: patches.filter((_, i) => i !== index) }, dir);
    if (without !== built) continue;
    findings.push({
      layer: 'references',
      rule: 'references.patch-changes-nothing',
      severity: 'error',
      distribution: name,
      file: 'kustomization.yaml',
      path: `patches[${index}]`,
      message: `changes nothing (target: ${describeTarget(patch)}): no object matches its target, or it sets what is already there; kustomize and Flux skip it without a word`,
    });
  }
  return { distribution: { name, dir: root, objects: objects.map((object) => ({ file: 'kustomize build', object, id: objectKey(object) })) }, findings };
}
