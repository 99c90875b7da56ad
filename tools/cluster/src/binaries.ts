/** The control plane's binaries, built by tools/control-plane/build.sh into a cache outside git. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BUILD = fileURLToPath(new URL('../../control-plane/build.sh', import.meta.url));

export interface Binaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kwok: string;
  readonly flagger: string;
  readonly loadtester: string;
  /** Debian's prometheus, from PATH (PROMETHEUS overrides). */
  readonly prometheus: string;
}

export async function buildBinaries(onProgress?: (line: string) => void): Promise<Binaries> {
  const child = run('bash', [BUILD], { maxBuffer: 16 << 20, timeout: 60 * 60 * 1000 });
  child.child.stderr?.on('data', (d: Buffer) => onProgress?.(d.toString().trim()));
  const dir = (await child).stdout.trim().split('\n').at(-1) ?? '';
  return {
    etcd: `${dir}/etcd`,
    kubeApiserver: `${dir}/kube-apiserver`,
    kubeControllerManager: `${dir}/kube-controller-manager`,
    kubeScheduler: `${dir}/kube-scheduler`,
    kwok: `${dir}/kwok`,
    flagger: `${dir}/flagger`,
    loadtester: `${dir}/loadtester`,
    prometheus: process.env['PROMETHEUS'] ?? 'prometheus',
  };
}
