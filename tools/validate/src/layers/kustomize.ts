/** Layer 4: kustomize v5 builds the distribution into exactly the objects we rendered. */
import { canonical } from '@canaryship/blocks';
import { run, toolPath, ToolFailed } from '@canaryship/toolchain';
import { parseAllDocuments } from 'yaml';
import type { Finding } from '../finding.js';
import { objectKey, type Distribution, type Manifest } from '../load.js';

/** `kustomize build` with the pinned kustomize v5 (the engine Flux's kustomize-controller embeds). */
export async function kustomizeBuild(dir: string): Promise<Manifest[]> {
  const { stdout } = await run(await toolPath('kustomize'), ['build', dir]);
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as Manifest);
}

export async function kustomizeLayer(distribution: Distribution): Promise<Finding[]> {
  const base = { layer: 'kustomize', severity: 'error', distribution: distribution.name } as const;
  let built: Manifest[];
  try {
    built = await kustomizeBuild(distribution.dir);
  } catch (error) {
    // kustomize refusing the tree is a finding; kustomize not running to the end (killed by a
    // signal, not started at all) says nothing about the tree, and is never kept as one.
    if (!(error instanceof ToolFailed) || error.exit === null || (typeof error.exit === 'string' && error.exit.startsWith('SIG'))) throw error;
    return [{ ...base, rule: 'kustomize.build-failed', file: 'kustomization.yaml', message: error.output.trim().split('\n').slice(-5).join(' ') }];
  }
  const findings: Finding[] = [];
  const rendered = new Map(distribution.objects.map((o) => [o.id, o]));
  const seen = new Set<string>();
  for (const object of built) {
    const key = objectKey(object);
    seen.add(key);
    const ours = rendered.get(key);
    if (!ours) findings.push({ ...base, rule: 'kustomize.extra-object', object: key, message: 'kustomize produced an object that is not in the rendered files' });
    else if (JSON.stringify(canonical(object)) !== JSON.stringify(canonical(ours.object))) {
      findings.push({ ...base, rule: 'kustomize.changed-object', file: ours.file, object: key, message: 'kustomize changed this object while building it' });
    }
  }
  for (const [key, ours] of rendered) {
    if (!seen.has(key)) findings.push({ ...base, rule: 'kustomize.missing-object', file: ours.file, object: key, message: 'kustomize build does not yield this object' });
  }
  return findings;
}
