/**
 * Reads a rendered distribution through its kustomization.yaml, keeping each object's file.
 *
 * A distribution is a closed world: its kustomization.yaml holds only the fields render writes, and
 * only regular files inside its directory, named by relative `resources` entries, are opened; a symlink, an absolute or `../` path, a URL, a FIFO or a device is
 * refused before anything is read from it, so nothing outside can leak into a message. Sizes and
 * counts are bounded far above any real distribution (a shipped one is ~30 files, ~60 KB) and
 * enforced while reading.
 */
import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { CanaryshipError, KUSTOMIZATION_FIELDS, type ComposedDistribution } from '@canaryship/blocks';
import { parseAllDocuments } from 'yaml';

// Parsed YAML is untyped until a layer checks it; rules read it through this loose shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

export interface LoadedObject {
  readonly file: string;
  readonly object: Manifest;
  /** `Kind/namespace/name`. */
  readonly id: string;
}

export interface Distribution {
  readonly name: string;
  readonly dir: string;
  readonly objects: readonly LoadedObject[];
}

export const LOAD_LIMITS = { fileBytes: 4 << 20, totalBytes: 32 << 20, files: 2_000, documents: 5_000 } as const;

export const objectKey = (o: Manifest): string => `${o['kind']}/${o['metadata']?.namespace ?? ''}/${o['metadata']?.name ?? ''}`;

/** A composed distribution in memory, as the layers read it; `dir` is where its files are rendered. */
export const distributionOf = (composed: ComposedDistribution, dir: string): Distribution => ({
  name: composed.environment,
  dir,
  objects: composed.objects.map(({ path, object }) => ({ file: path, object: object as Manifest, id: objectKey(object as Manifest) })),
});

/** The distribution cannot be read at all: nothing to validate. */
export class DistributionUnreadable extends CanaryshipError {
  override readonly name = 'DistributionUnreadable';
  constructor(message: string, hint?: string) {
    super(message, { code: 'validate.unreadable', ...(hint !== undefined && { hint }) });
  }
}

/** What a provider who points validate at their own overlay needs to hear. */
const OVERLAY_HINT = 'a distribution lists only its own files; to check a kustomize overlay over one, run validate --overlay on it';

const NOT_A_DISTRIBUTION_HINT = 'validate reads a rendered distribution, e.g. environments/istio/dist (npm run build renders them)';

interface Budget {
  bytes: number;
  documents: number;
}

/** Opens `relative` inside `root` (a real path), refusing anything that is not a regular file within it. */
async function readInside(root: string, relative: unknown, budget: Budget): Promise<string> {
  const shown = JSON.stringify(relative);
  if (typeof relative !== 'string' || relative === '') throw new DistributionUnreadable(`kustomization.yaml lists ${shown}, which is not a file path`);
  if (isAbsolute(relative) || relative.includes('\\') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(relative)) {
    throw new DistributionUnreadable(`kustomization.yaml lists ${shown}: a distribution only holds relative paths to its own files`);
  }
  const path = resolve(root, relative);
  if (!path.startsWith(root + sep)) throw new DistributionUnreadable(`kustomization.yaml lists ${shown}, which is outside the distribution`, OVERLAY_HINT);
  const real = await realpath(path).catch((error: NodeJS.ErrnoException) => {
    throw new DistributionUnreadable(error.code === 'ENOENT' ? `kustomization.yaml lists ${shown}, which does not exist` : `cannot read ${shown}: ${error.code ?? error.message}`);
  });
  if (real !== path) throw new DistributionUnreadable(`${shown} is (or passes through) a symbolic link: a distribution holds only its own files`);
  // O_NONBLOCK: a FIFO opens without waiting for a writer, then fails the regular-file check.
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    throw new DistributionUnreadable(`cannot open ${shown}: ${error.code ?? error.message}`);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new DistributionUnreadable(`${shown} is not a regular file`, info.isDirectory() ? OVERLAY_HINT : undefined);
    }
    const limit = Math.min(LOAD_LIMITS.fileBytes, budget.bytes);
    if (info.size > limit) throw new DistributionUnreadable(`${shown} has ${info.size} bytes; the limit is ${limit} (${LOAD_LIMITS.fileBytes} per file, ${LOAD_LIMITS.totalBytes} per distribution)`);
    // Read at most limit + 1 bytes, whatever stat said: the file may grow while we read. The buffer
    // starts at the size stat gave (not the limit: zeroing 4 MiB per file was most of a load).
    let buffer = Buffer.allocUnsafe(info.size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) buffer = Buffer.concat([buffer], Math.min(2 * buffer.length, limit + 1));
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > limit) throw new DistributionUnreadable(`${shown} grew beyond ${limit} bytes while being read`);
    }
    budget.bytes -= length;
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

function parseDocuments(text: string, file: string, budget: Budget): Manifest[] {
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  budget.documents -= list.length;
  if (budget.documents < 0) throw new DistributionUnreadable(`more than ${LOAD_LIMITS.documents} YAML documents; a distribution is far smaller`);
  const objects: Manifest[] = [];
  list.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      throw new DistributionUnreadable(`${file}${line ? ` line ${line}` : ''}: invalid YAML: ${error.message.split('\n')[0]}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new DistributionUnreadable(`${file}: document ${index + 1} cannot be read: ${(e as Error).message.split('\n')[0]}`);
    }
    if (value === null || value === undefined) return; // an empty document, as kubectl skips it
    if (typeof value !== 'object' || Array.isArray(value)) throw new DistributionUnreadable(`${file}: document ${index + 1} is not a Kubernetes object (a ${Array.isArray(value) ? 'list' : typeof value})`);
    objects.push(value as Manifest);
  });
  return objects;
}

/** `name` defaults to the environment folder of `<env>/dist`. */
export async function loadDistribution(dir: string, name?: string): Promise<Distribution> {
  const given = resolve(dir);
  const info = await stat(given).catch(() => undefined);
  if (!info) throw new DistributionUnreadable(`${dir} does not exist`, NOT_A_DISTRIBUTION_HINT);
  if (!info.isDirectory()) throw new DistributionUnreadable(`${dir} is not a directory`, NOT_A_DISTRIBUTION_HINT);
  const root = await realpath(given);
  const budget: Budget = { bytes: LOAD_LIMITS.totalBytes, documents: LOAD_LIMITS.documents };
  const text = await readInside(root, 'kustomization.yaml', budget).catch((error: Error) => {
    throw error.message.includes('does not exist') ? new DistributionUnreadable(`${dir} has no kustomization.yaml`, NOT_A_DISTRIBUTION_HINT) : error;
  });
  const documents = parseDocuments(text, 'kustomization.yaml', budget);
  if (documents.length > 1) throw new DistributionUnreadable(`kustomization.yaml holds ${documents.length} documents; kustomize reads one`);
  const [kustomization] = documents;
  const foreign = Object.keys(kustomization ?? {}).filter((field) => !(KUSTOMIZATION_FIELDS as readonly string[]).includes(field));
  if (foreign.length > 0) {
    throw new DistributionUnreadable(
      `kustomization.yaml has ${foreign.map((f) => `\`${f.slice(0, 60)}\``).join(', ')}, which render never writes: a distribution's kustomization holds ${KUSTOMIZATION_FIELDS.join(', ')} only`,
      'kustomize would read what those fields name, outside the distribution or from the network; render again (npm run build), and customise in an overlay',
    );
  }
  const resources: unknown = kustomization?.['resources'] ?? [];
  if (!Array.isArray(resources)) throw new DistributionUnreadable('kustomization.yaml: resources must be a list of file paths');
  if (resources.length > LOAD_LIMITS.files) throw new DistributionUnreadable(`kustomization.yaml lists ${resources.length} resources; the limit is ${LOAD_LIMITS.files}`);
  const objects: LoadedObject[] = [];
  for (const file of resources as unknown[]) {
    const content = await readInside(root, file, budget);
    for (const object of parseDocuments(content, String(file), budget)) objects.push({ file: String(file), object, id: objectKey(object) });
  }
  const inferred = basename(given) === 'dist' ? basename(join(given, '..')) : basename(given);
  return { name: name ?? inferred, dir: root, objects };
}
