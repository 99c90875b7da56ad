/** Layer 4: kustomize v5 builds the distribution into exactly the objects we rendered. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { canonical } from '@canaryship/blocks';
import { parseAllDocuments } from 'yaml';
import type { Finding } from '../finding.js';
import { objectKey, type Distribution, type Manifest } from '../load.js';

const run = promisify(execFile);

/** `kubectl kustomize` (kustomize v5 inside kubectl ≥ 1.27); KUBECTL overrides the binary. */
export async function kustomizeBuild(dir: string): Promise<Manifest[]> {
  const { stdout } = await run(process.env['KUBECTL'] ?? 'kubectl', ['kustomize', dir], { maxBuffer: 64 << 20 });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as Manifest);
}

export async function kustomizeLayer(distribution: Distribution): Promise<Finding[]> {
  const base = { layer: 'kustomize', severity: 'error', distribution: distribution.name } as const;
  let built: Manifest[];
  try {
    built = await kustomizeBuild(distribution.dir);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    return [{ ...base, rule: 'kustomize.build-failed', file: 'kustomization.yaml', message: stderr || (error as Error).message }];
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
