/**
 * What the API server refuses that the OpenAPI schemas do not say: name syntax per kind, label and
 * annotation syntax, the 256 KiB annotation budget, the 1 MiB ConfigMap budget (k8s.io/apimachinery
 * validation and k8s.io/kubernetes pkg/apis/core/validation). Integer formats (int32, int64) are
 * checked by the schemas themselves (registry.ts).
 */
import type { Finding } from '../../finding.js';
import type { Distribution, LoadedObject, Manifest } from '../../load.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
export const KUBERNETES_LIMITS = { annotationBytes: 256 * 1024, configMapBytes: 1024 * 1024 } as const;

/** Why `name` is not a valid name for `kind`, or undefined. */
function nameProblem(kind: string, name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'is missing';
  if (kind === 'Service') return name.length <= 63 && DNS1035_LABEL.test(name) ? undefined : 'must be a DNS-1035 label (lowercase letters, digits, -, starting with a letter, at most 63)';
  if (kind === 'Namespace') return name.length <= 63 && DNS1123_LABEL.test(name) ? undefined : 'must be a DNS-1123 label (at most 63)';
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name) ? undefined : 'must be a DNS-1123 subdomain (lowercase letters, digits, - and ., at most 253)';
}

/** Why a label or annotation key is invalid: `[prefix/]name`, prefix a DNS subdomain, name a qualified name. */
function keyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return `key "${key}": its prefix must be a DNS subdomain`;
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) return `key "${key}": its name must be at most 63 letters, digits, - _ . and start and end alphanumeric`;
  return undefined;
}

const labelsAt = (object: Manifest): [string, unknown][] => [
  ['metadata.labels', object['metadata']?.labels],
  ['spec.selector.matchLabels', object['spec']?.selector?.matchLabels],
  ['spec.template.metadata.labels', object['spec']?.template?.metadata?.labels],
];

export function kubernetesLimits(distribution: Distribution): Finding[] {
  const findings: Finding[] = [];
  const report = (from: LoadedObject, path: string, rule: string, message: string): void => {
    findings.push({ layer: 'schema', rule, severity: 'error', distribution: distribution.name, file: from.file, object: from.id, path, message });
  };
  for (const owner of distribution.objects) {
    const { object } = owner;
    const kind = String(object['kind']);
    const problem = nameProblem(kind, object['metadata']?.name);
    if (problem) report(owner, 'metadata.name', 'schema.name', `a ${kind} name ${problem}`);
    for (const [path, labels] of labelsAt(object)) {
      if (!labels || typeof labels !== 'object') continue;
      for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
        const bad = keyProblem(key) ?? (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value) ? `value of "${key}" must be at most 63 letters, digits, - _ . and start and end alphanumeric` : undefined);
        if (bad) report(owner, `${path}["${key}"]`, 'schema.label', bad);
      }
    }
    for (const path of ['metadata.annotations', 'spec.template.metadata.annotations']) {
      const annotations = path.split('.').reduce<unknown>((node, part) => (node as Manifest | undefined)?.[part], object) as Record<string, unknown> | undefined;
      if (!annotations || typeof annotations !== 'object') continue;
      let size = 0;
      for (const [key, value] of Object.entries(annotations)) {
        size += Buffer.byteLength(key) + Buffer.byteLength(String(value));
        const bad = keyProblem(key);
        if (bad) report(owner, `${path}["${key}"]`, 'schema.annotation', bad);
      }
      if (size > KUBERNETES_LIMITS.annotationBytes) report(owner, path, 'schema.annotations-size', `${size} bytes of annotations; the API server accepts at most ${KUBERNETES_LIMITS.annotationBytes}`);
    }
    if (kind === 'ConfigMap') {
      let size = 0;
      for (const field of ['data', 'binaryData']) {
        for (const [key, value] of Object.entries((object[field] ?? {}) as Record<string, unknown>)) {
          size += Buffer.byteLength(key) + Buffer.byteLength(String(value));
          if (key.length > 253 || !CONFIG_KEY.test(key)) report(owner, `${field}["${key}"]`, 'schema.configmap-key', 'a ConfigMap key is at most 253 letters, digits, - _ .');
        }
      }
      if (size > KUBERNETES_LIMITS.configMapBytes) report(owner, 'data', 'schema.configmap-size', `${size} bytes of data; a ConfigMap holds at most ${KUBERNETES_LIMITS.configMapBytes}`);
    }
  }
  return findings;
}
