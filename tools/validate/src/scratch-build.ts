/**
 * `kustomize build` of a kustomization written for the occasion: the distribution (or overlay) with
 * a provider's patches, as Flux's kustomize-controller builds it. What contract and
 * `validate --overlay` share.
 */
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, toolPath, ToolFailed } from '@canaryship/toolchain';
import { stringify } from 'yaml';

/** One build may take this long; a kustomization that fetches a remote base and hangs is stopped. */
const BUILD_TIMEOUT_MS = 60_000;

/** kustomize refused the kustomization: the line of its output that says why. */
export class KustomizeRefused extends Error {
  override readonly name = 'KustomizeRefused';
}

/**
 * Builds the kustomization `write(dir)` returns, from a scratch directory `dir` (a real path:
 * kustomize resolves symlinks in a root before it reads relative paths). Flux builds with no load
 * restrictions (a patch file may sit outside the root), and so does this.
 */
export async function buildInScratch(write: (dir: string) => Record<string, unknown>): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'canaryship-kustomize-')));
  try {
    await writeFile(join(dir, 'kustomization.yaml'), stringify(write(dir)));
    const { stdout } = await run(await toolPath('kustomize'), ['build', '--load-restrictor', 'LoadRestrictionsNone', dir], { timeout: BUILD_TIMEOUT_MS });
    return stdout;
  } catch (error) {
    // Only kustomize refusing is the kustomization's fault; one that did not run to the end (killed, timed out, not started) is not.
    if (!(error instanceof ToolFailed) || typeof error.exit !== 'number') throw error;
    // kustomize nests every cause in one line; the innermost (last) part says what failed.
    const line = error.output.trim().split('\n').find((l) => /error/i.test(l))?.replace(/^Error:\s*/, '') ?? error.output.trim();
    throw new KustomizeRefused(line.length > 400 ? `…${line.slice(-400)}` : line);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
