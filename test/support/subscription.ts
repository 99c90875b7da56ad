/**
 * A provider's overlay as the bundle's guide shows it: the bundle's files in `subscription/` under
 * `root`, and a kustomization of the provider's own beside it that lists the bundle and the
 * customisation components given (each `customise/<name>`), with any other fields of theirs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedFile } from '@canaryship/blocks';
import { stringify } from 'yaml';

export const SUBSCRIPTION = 'subscription';

/** The component names a rendered bundle offers (`customise/<name>/kustomization.yaml`). */
export const componentsOf = (files: readonly RenderedFile[]): string[] =>
  files.filter((f) => f.path.startsWith('customise/') && f.path.endsWith('/kustomization.yaml')).map((f) => f.path.split('/')[1]!);

/** Writes the subscription and the provider's kustomization under `root`; returns `root`. */
export function writeSubscription(root: string, files: readonly RenderedFile[], components: readonly string[], fields: Record<string, unknown> = {}): string {
  for (const file of files) {
    mkdirSync(join(root, SUBSCRIPTION, file.path, '..'), { recursive: true });
    writeFileSync(join(root, SUBSCRIPTION, file.path), file.content);
  }
  const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [SUBSCRIPTION], components: components.map((c) => `${SUBSCRIPTION}/customise/${c}`), ...fields };
  writeFileSync(join(root, 'kustomization.yaml'), stringify(kustomization));
  return root;
}
