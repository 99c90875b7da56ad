/** kubectl against the local control plane (a real client: server-side apply, warnings, waits). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CanaryshipError } from '@canaryship/blocks';

const run = promisify(execFile);

export interface KubectlResult {
  readonly stdout: string;
  readonly stderr: string;
}

export type Kubectl = (...args: string[]) => Promise<KubectlResult>;

/** kubectl with `kubeconfig`; without one, kubectl's own choice ($KUBECONFIG, ~/.kube/config). */
export const kubectlFor =
  (kubectl: string, kubeconfig?: string): Kubectl =>
  async (...args) => {
    try {
      return await run(kubectl, [...(kubeconfig ? ['--kubeconfig', kubeconfig] : []), ...args], { maxBuffer: 64 << 20 });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new CanaryshipError(`kubectl ${args.join(' ')}: ${e.stderr?.trim() || e.message}`, { code: 'cluster.kubectl' });
    }
  };

export async function getJson<T>(kubectl: Kubectl, ...args: string[]): Promise<T> {
  return JSON.parse((await kubectl('get', ...args, '-o', 'json')).stdout) as T;
}
