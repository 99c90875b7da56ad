/** A Ready podinfo pod of `workload` in namespace webapp, as the model reads one from the cluster: the tests' one way to make pods. */
import type { Pod } from './state.js';

export const testPod = (name: string, workload: string, labels: Record<string, string> = {}): Pod => ({
  name,
  namespace: 'webapp',
  labels: { app: workload, ...labels },
  annotations: {},
  workload,
  configMaps: [],
  ports: [{ name: 'http', containerPort: 9898 }],
  image: 'ghcr.io/stefanprodan/podinfo:6.14.1',
  ready: true,
});
