/**
 * Replaces a rendered distribution with a new one, and nothing else.
 *
 * - The target must be absent, an empty directory, or a previous render: a directory whose
 *   kustomization.yaml carries canaryship's header and which holds nothing but the files it lists
 *   and files that begin with that header too.
 *   Anything else (a file, a symlink, a package, a home directory) is refused, never deleted.
 * - The new tree is written beside the target (same filesystem), then swapped in by two renames.
 *   Readers never see a half-written tree; between the two renames (microseconds) the target is
 *   absent: POSIX has no portable atomic exchange of two directories (Linux's renameat2 exchange is
 *   not reachable from Node), so a reader at that instant finds no distribution rather than a wrong one.
 * - Staging directories are named `.<target>.canaryship-*` (gitignored, so Nx and git never see
 *   them); ones left by an interrupted render are recognised by the same rule and removed.
 * - Renders into one target take turns under its distribution lock (`.<target>.canaryship.lock`),
 *   which its readers hold too: without it, one render would take another's staging tree,
 *   mid-write, for one an interrupted render left, and a reader could see the swap.
 */
import { chmod, lstat, mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CanaryshipError, KUSTOMIZATION_FILE as KUSTOMIZATION, RENDERED_BY as RENDER_HEADER } from '@canaryship/blocks';
import { withDistributionLock } from '@canaryship/toolchain';
import { parse } from 'yaml';

export interface TreeFile {
  readonly path: string;
  readonly content: string;
}

/** Fixed modes, whatever the umask: file modes are part of an artifact's bytes. */
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
/** Far above any real distribution; bounds the work of recognising a directory. */
const MAX_ENTRIES = 10_000;
const MAX_KUSTOMIZATION_BYTES = 4 << 20;

const refuse = (target: string, why: string): CanaryshipError =>
  new CanaryshipError(`refusing to replace ${target}: ${why}`, {
    code: 'render.target-not-ours',
    hint: 'render only replaces an earlier render; choose another --out, or remove it yourself if it is yours to lose',
  });

type Kind = 'absent' | 'empty' | 'render';

/** A file kustomization.yaml does not list is still ours when it begins with our header (a bundle's examples). */
async function startsWithHeader(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(RENDER_HEADER.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString('utf8') === RENDER_HEADER;
  } finally {
    await handle.close();
  }
}

/** What is at `path`, when it is something render may replace; otherwise why not. */
async function classify(path: string): Promise<Kind | { refused: string }> {
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) return 'absent';
  if (info.isSymbolicLink()) return { refused: 'it is a symbolic link' };
  if (!info.isDirectory()) return { refused: 'it is not a directory' };
  const entries = await readdir(path, { recursive: true });
  if (entries.length === 0) return 'empty';
  if (entries.length > MAX_ENTRIES) return { refused: `it holds more than ${MAX_ENTRIES} entries` };
  const head = await lstat(join(path, KUSTOMIZATION)).catch(() => undefined);
  const kustomization = head?.isFile() && head.size <= MAX_KUSTOMIZATION_BYTES ? await readFile(join(path, KUSTOMIZATION), 'utf8') : undefined;
  if (kustomization === undefined || !kustomization.startsWith(RENDER_HEADER)) return { refused: `it is not a canaryship render (no ${KUSTOMIZATION} starting with "${RENDER_HEADER}")` };
  let listed: Set<string>;
  try {
    listed = new Set([KUSTOMIZATION, ...((parse(kustomization) as { resources?: unknown })?.resources as string[] ?? [])].map(String));
  } catch {
    return { refused: `its ${KUSTOMIZATION} is not valid YAML` };
  }
  for (const entry of entries.map(String)) {
    const entryInfo = await lstat(join(path, entry));
    if (entryInfo.isDirectory()) continue;
    if (!entryInfo.isFile()) return { refused: `${entry} is not part of the render` };
    if (!listed.has(entry.split('\\').join('/')) && !(await startsWithHeader(join(path, entry)))) return { refused: `${entry} is not part of the render` };
  }
  return 'render';
}

const stagingPrefix = (target: string): string => `.${basename(target)}.canaryship-`;

/** Removes staging directories an interrupted render left beside the target, when they are recognisably ours. */
async function removeStale(target: string): Promise<void> {
  const parent = dirname(target);
  for (const entry of await readdir(parent)) {
    if (!entry.startsWith(stagingPrefix(target))) continue;
    const kind = await classify(join(parent, entry));
    if (kind === 'empty' || kind === 'render') await rm(join(parent, entry), { recursive: true, force: true });
  }
}

/** `afterSwap` runs once the new tree is in place, still under the lock (a render's receipt is written there). */
export async function writeTreeAtomically(target: string, files: readonly TreeFile[], afterSwap?: () => void): Promise<void> {
  for (const file of files) {
    if (file.path.startsWith('/') || file.path.split('/').includes('..') || file.path.includes('\\')) throw new Error(`bug: file path escapes the tree: ${file.path}`);
  }
  // Refused targets are refused before anything is written beside them (the lock included).
  const current = await classify(target);
  if (typeof current === 'object') throw refuse(target, current.refused);
  await mkdir(dirname(target), { recursive: true });
  await withDistributionLock([target], async () => {
    await replaceTree(target, files);
    afterSwap?.();
  });
}

async function replaceTree(target: string, files: readonly TreeFile[]): Promise<void> {
  // Again under the lock: another render may have replaced it meanwhile.
  const current = await classify(target);
  if (typeof current === 'object') throw refuse(target, current.refused);
  const parent = dirname(target);
  await removeStale(target);

  const staging = await mkdtemp(join(parent, `${stagingPrefix(target)}new-`));
  try {
    // kustomization.yaml first: a staging tree cut short is still recognisable, and cleaned later.
    const ordered = [...files].sort((a, b) => Number(b.path === KUSTOMIZATION) - Number(a.path === KUSTOMIZATION));
    for (const file of ordered) {
      const path = join(staging, file.path);
      await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
      await writeFile(path, file.content, { mode: FILE_MODE });
    }
    // mkdir and writeFile modes are masked by the umask: set them exactly.
    for (const entry of ['', ...(await readdir(staging, { recursive: true })).map(String)]) {
      const path = join(staging, entry);
      await chmod(path, (await lstat(path)).isDirectory() ? DIR_MODE : FILE_MODE);
    }
    const previous = current === 'absent' ? undefined : `${join(parent, stagingPrefix(target))}old-${basename(staging).slice(-6)}`;
    if (previous) await rename(target, previous);
    await rename(staging, target);
    if (previous) await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
