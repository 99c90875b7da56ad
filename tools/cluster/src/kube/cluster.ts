/**
 * A cluster the steps of a provider's path run against: the local control plane, or kind (a
 * laptop, GitHub Actions) through a kubeconfig. The local control plane also hands over its
 * processes, so that a wait fails at once when one of them dies instead of at its timeout.
 */
import { kubectlFor, type Kubectl } from './kubectl.js';
import type { ProcessGroup } from '../processes.js';

export interface Cluster {
  readonly kubectl: Kubectl;
  readonly processes?: ProcessGroup;
}

/** A cluster reached with the kubectl on PATH, through `kubeconfig` or kubectl's default. */
export const clusterAt = (kubeconfig?: string, kubectl = 'kubectl'): Cluster => ({ kubectl: kubectlFor(kubectl, kubeconfig) });
