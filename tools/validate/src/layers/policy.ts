/**
 * Layer 3: what every distribution must hold to, beyond what the API server checks.
 * Pod Security "restricted" (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * plus our own standard: read-only root filesystem, requests and limits, probes, pinned images,
 * no replicas under an HPA, no Secrets, recommended labels, no removed API versions.
 */
import { selectorMatches } from '@canaryship/blocks';
import type { Finding } from '../finding.js';
import type { Distribution, LoadedObject, Manifest } from '../load.js';
import { containersOf, podTemplates } from './workloads.js';

/** Volume types "restricted" allows. */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** API versions Kubernetes or Flagger no longer serve, with their replacement. */
const REMOVED_APIS: Record<string, string> = {
  'autoscaling/v2beta1': 'autoscaling/v2',
  'autoscaling/v2beta2': 'autoscaling/v2',
  'policy/v1beta1': 'policy/v1',
  'extensions/v1beta1': 'apps/v1',
  'apps/v1beta1': 'apps/v1',
  'apps/v1beta2': 'apps/v1',
  'flagger.app/v1alpha1': 'flagger.app/v1beta1',
  'flagger.app/v1alpha2': 'flagger.app/v1beta1',
  'flagger.app/v1alpha3': 'flagger.app/v1beta1',
};

const REQUIRED_LABELS = ['app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by'];
const NAMED_KINDS = new Set(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ConfigMap', 'Service', 'Canary']);

export function policyLayer(distribution: Distribution): Finding[] {
  const findings: Finding[] = [];
  const report = (from: LoadedObject, path: string, rule: string, message: string, severity: Finding['severity'] = 'error'): void => {
    findings.push({ layer: 'policy', rule, severity, distribution: distribution.name, file: from.file, object: from.id, path, message });
  };

  const autoscaled = new Set(
    distribution.objects
      .filter((o) => o.object['kind'] === 'HorizontalPodAutoscaler')
      .map((o) => `${o.object['metadata']?.namespace}/${o.object['spec']?.scaleTargetRef?.kind}/${o.object['spec']?.scaleTargetRef?.name}`),
  );

  for (const owner of distribution.objects) {
    const { object } = owner;
    const apiVersion = String(object['apiVersion']);
    if (REMOVED_APIS[apiVersion]) report(owner, 'apiVersion', 'policy.removed-api', `${apiVersion} is no longer served: use ${REMOVED_APIS[apiVersion]}`);
    if (object['kind'] === 'Secret') report(owner, 'data', 'policy.no-secrets', 'a distribution is public to every provider: Secrets come from the provider (SOPS, external secrets), never from us');
    const labels = (object['metadata']?.labels ?? {}) as Record<string, string>;
    const required = NAMED_KINDS.has(String(object['kind'])) ? [...REQUIRED_LABELS, 'app.kubernetes.io/name'] : REQUIRED_LABELS;
    for (const label of required) {
      if (!labels[label]) report(owner, `metadata.labels["${label}"]`, 'policy.recommended-labels', 'recommended label is missing');
    }
    const key = `${object['metadata']?.namespace}/${object['kind']}/${object['metadata']?.name}`;
    if (autoscaled.has(key) && object['spec']?.replicas !== undefined) {
      report(owner, 'spec.replicas', 'policy.replicas-under-hpa', 'the HPA owns the replica count; a value here makes every Flux apply undo Flagger and the HPA');
    }
  }

  const policies = distribution.objects.filter((o) => o.object['kind'] === 'NetworkPolicy' && (o.object['spec']?.policyTypes ?? ['Ingress']).includes('Ingress'));
  for (const template of podTemplates(distribution.objects)) {
    const { owner, spec } = template;
    const namespace = owner.object['metadata']?.namespace;
    if (!policies.some((p) => p.object['metadata']?.namespace === namespace && selectorMatches(p.object['spec']?.podSelector, template.labels))) {
      report(owner, `${template.path}.metadata.labels`, 'policy.network-policy', 'no NetworkPolicy selects these pods: anything in the cluster could reach them');
    }
    const pod = `${template.path}.spec`;
    const podSc = (spec['securityContext'] ?? {}) as Manifest;
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (spec[field] === true) report(owner, `${pod}.${field}`, 'policy.pod-security', `${field} is forbidden by Pod Security restricted`);
    }
    ((spec['volumes'] ?? []) as Manifest[]).forEach((volume, i) => {
      const type = Object.keys(volume).find((k) => k !== 'name');
      if (type && !RESTRICTED_VOLUMES.has(type)) report(owner, `${pod}.volumes[${i}].${type}`, 'policy.pod-security', `volume type ${type} is forbidden by Pod Security restricted`);
    });
    if (podSc['runAsUser'] === 0) report(owner, `${pod}.securityContext.runAsUser`, 'policy.pod-security', 'runAsUser 0 is root');

    for (const { container, path } of containersOf(template)) {
      const sc = (container['securityContext'] ?? {}) as Manifest;
      const pss = (field: string, message: string): void => report(owner, `${path}.securityContext.${field}`, 'policy.pod-security', message);
      if (sc['privileged'] === true) pss('privileged', 'privileged containers are forbidden');
      if (sc['allowPrivilegeEscalation'] !== false) pss('allowPrivilegeEscalation', 'must be false');
      if ((sc['runAsNonRoot'] ?? podSc['runAsNonRoot']) !== true) pss('runAsNonRoot', 'must be true (on the container or the pod)');
      if (sc['runAsUser'] === 0) pss('runAsUser', 'runAsUser 0 is root');
      const seccomp = (sc['seccompProfile'] ?? podSc['seccompProfile'])?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') pss('seccompProfile.type', 'must be RuntimeDefault or Localhost (on the container or the pod)');
      const drop = (sc['capabilities']?.drop ?? []) as string[];
      if (!drop.includes('ALL')) pss('capabilities.drop', 'must drop ALL');
      const added = ((sc['capabilities']?.add ?? []) as string[]).filter((c) => c !== 'NET_BIND_SERVICE');
      if (added.length > 0) pss('capabilities.add', `may add only NET_BIND_SERVICE, not ${added.join(', ')}`);
      ((container['ports'] ?? []) as Manifest[]).forEach((port, i) => {
        if (port['hostPort']) report(owner, `${path}.ports[${i}].hostPort`, 'policy.pod-security', 'hostPort is forbidden');
      });

      if (sc['readOnlyRootFilesystem'] !== true) report(owner, `${path}.securityContext.readOnlyRootFilesystem`, 'policy.read-only-root', 'must be true; mount an emptyDir where the process writes');
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (container['resources']?.[kind]?.[resource] === undefined) report(owner, `${path}.resources.${kind}.${resource}`, 'policy.resources', 'must be set');
        }
      }
      if (template.path.endsWith('template') && !path.includes('initContainers')) {
        for (const probe of ['livenessProbe', 'readinessProbe']) {
          if (!container[probe]) report(owner, `${path}.${probe}`, 'policy.probes', 'must be set');
        }
      }
      const image = String(container['image'] ?? '');
      const tag = image.includes('@') ? undefined : /:([^/:]+)$/.exec(image)?.[1];
      if (!image.includes('@sha256:') && (tag === undefined || tag === 'latest')) {
        report(owner, `${path}.image`, 'policy.image-pinned', `"${image}" is not pinned: use a release tag or a digest, never latest`);
      }
    }
  }
  return findings;
}
