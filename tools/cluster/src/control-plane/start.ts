/**
 * A Kubernetes control plane of real components on loopback, no containers: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, and kwok, which plays the kubelet of one fake node (pods
 * it is given become Running and Ready). The API server generates its own serving certificate; the
 * clients use a static admin token.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Binaries } from './binaries.js';
import { kubectlFor, type Kubectl } from '../kube/kubectl.js';
import { freePort } from '../ports.js';
import { ProcessGroup, waitUntil } from '../processes.js';
import { crdFiles, kwokStages } from './upstream.js';

export interface ControlPlane {
  readonly kubeconfig: string;
  readonly kubectl: Kubectl;
  readonly processes: ProcessGroup;
  readonly workDir: string;
  stop(): Promise<void>;
}

const FAKE_NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'kwok-node-0',
    annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    labels: { 'kubernetes.io/hostname': 'kwok-node-0', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
  },
  spec: {},
  status: { allocatable: { cpu: '64', memory: '256Gi', pods: '250' }, capacity: { cpu: '64', memory: '256Gi', pods: '250' } },
};

/** Controllers that need a cloud, a CNI or volumes, none of which exist here. */
const CONTROLLERS = '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route,-persistentvolume-binder,-attachdetach,-persistentvolume-expander,-ephemeral-volume,-pv-protection,-pvc-protection';

export async function startControlPlane(binaries: Binaries, workDir: string, onProgress: (m: string) => void = () => undefined): Promise<ControlPlane> {
  await mkdir(join(workDir, 'logs'), { recursive: true });
  const processes = new ProcessGroup(join(workDir, 'logs'));
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const token = randomBytes(24).toString('hex');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = async (name: string, content: string): Promise<string> => {
    const path = join(workDir, name);
    await writeFile(path, content, { mode: 0o600 });
    return path;
  };
  const saKey = await file('sa.key', privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const saPub = await file('sa.pub', publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const tokens = await file('tokens.csv', `${token},admin,admin,system:masters\n`);
  const certDir = join(workDir, 'certs');

  try {
    onProgress('starting etcd');
    processes.start('etcd', binaries.etcd, [
      `--data-dir=${join(workDir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--log-level=warn',
    ]);
    await waitUntil('etcd health', async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok, 30_000, processes);

    onProgress('starting kube-apiserver');
    processes.start('kube-apiserver', binaries.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${tokens}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      '--service-cluster-ip-range=10.96.0.0/16',
      // The endpoints of the `kubernetes` Service cannot be loopback; nothing here needs them.
      '--endpoint-reconciler-type=none',
    ]);
    const kubeconfig = await file(
      'kubeconfig',
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'local', cluster: { server: `https://127.0.0.1:${apiPort}`, 'certificate-authority': join(certDir, 'apiserver.crt') } }],
        users: [{ name: 'admin', user: { token } }],
        contexts: [{ name: 'local', context: { cluster: 'local', user: 'admin' } }],
        'current-context': 'local',
      }),
    );
    const kubectl = kubectlFor(binaries.kubectl, kubeconfig);
    await waitUntil('kube-apiserver readiness', async () => (await kubectl('get', '--raw', '/readyz')).stdout.trim() === 'ok', 120_000, processes);

    onProgress('starting kube-controller-manager, kube-scheduler, kwok');
    processes.start('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${saKey}`,
      `--root-ca-file=${join(certDir, 'apiserver.crt')}`,
      `--controllers=${CONTROLLERS}`,
      '--secure-port=0',
    ]);
    processes.start('kube-scheduler', binaries.kubeScheduler, [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0']);
    const stages = await file('kwok-stages.yaml', await kwokStages());
    processes.start('kwok', binaries.kwok, [
      `--kubeconfig=${kubeconfig}`,
      `--config=${stages}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--cidr=10.244.0.0/16',
      '--node-ip=10.0.0.1',
    ]);
    await file('node.yaml', JSON.stringify(FAKE_NODE));
    await kubectl('apply', '-f', join(workDir, 'node.yaml'));
    await waitUntil(
      'the fake node to be Ready and untainted',
      async () => {
        const node = JSON.parse((await kubectl('get', 'node', 'kwok-node-0', '-o', 'json')).stdout) as { spec: { taints?: unknown[] }; status: { conditions?: { type: string; status: string }[] } };
        return (node.spec.taints ?? []).length === 0 && node.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
      },
      60_000,
      processes,
    );
    await waitUntil('the default ServiceAccount', async () => (await kubectl('get', 'serviceaccount', 'default', '-n', 'default')).stdout.includes('default'), 60_000, processes);

    onProgress('installing CRDs (Flagger, Gateway API, Istio)');
    for (const crd of await crdFiles()) await kubectl('apply', '--server-side', '--force-conflicts', '-f', crd);
    await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all');
    return { kubeconfig, kubectl, processes, workDir, stop: () => processes.stopAll() };
  } catch (error) {
    const report = await processes.report();
    await processes.stopAll();
    throw new Error(`${(error as Error).message}\n${report}`);
  }
}

