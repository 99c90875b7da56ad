/** The programs the local cluster runs, as `canaryship setup cluster` provisioned them. */
import { toolPath } from '@canaryship/toolchain';

export interface Binaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kubectl: string;
  readonly kwok: string;
  readonly flagger: string;
  readonly loadtester: string;
  readonly prometheus: string;
  /** The real load generator the loadtester image ships. */
  readonly hey: string;
}

/** Finds every program; one that was not provisioned fails with the setup command to run. */
export async function locateBinaries(): Promise<Binaries> {
  const [etcd, kubeApiserver, kubeControllerManager, kubeScheduler, kubectl, kwok, flagger, loadtester, prometheus, hey] = await Promise.all(
    (['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'flagger', 'loadtester', 'prometheus', 'hey'] as const).map((name) => toolPath(name)),
  );
  return { etcd: etcd!, kubeApiserver: kubeApiserver!, kubeControllerManager: kubeControllerManager!, kubeScheduler: kubeScheduler!, kubectl: kubectl!, kwok: kwok!, flagger: flagger!, loadtester: loadtester!, prometheus: prometheus!, hey: hey! };
}
