/**
 * Secure-by-default pod and container settings meeting Pod Security "restricted".
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import type { Container, PodSecurityContext, SecurityContext, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';

/**
 * podinfo and the loadtester images declare `USER app` by name; the kubelet cannot prove a name is
 * non-root, so a numeric user is set explicitly.
 */
export const NON_ROOT_UID = 10001;

export const restrictedPodSecurityContext: PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: NON_ROOT_UID,
  runAsGroup: NON_ROOT_UID,
  fsGroup: NON_ROOT_UID,
  seccompProfile: { type: 'RuntimeDefault' },
};

export const restrictedContainerSecurityContext: SecurityContext = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** A writable scratch directory under a read-only root filesystem, capped so it cannot fill the node. */
export const scratchVolume = (name: string, mountPath: string, sizeLimit = '64Mi'): { volume: Volume; mount: VolumeMount } => ({
  volume: { name, emptyDir: { sizeLimit } },
  mount: { name, mountPath },
});

/** Applies the restricted container settings; a container cannot opt out. */
export const hardenContainer = (container: Container): Container => ({
  ...container,
  imagePullPolicy: 'IfNotPresent',
  securityContext: restrictedContainerSecurityContext,
});
