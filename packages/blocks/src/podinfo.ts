/**
 * Facts about the podinfo binary that every service runs (read from podinfo 6.14.1's cmd/podinfo
 * and pkg/api/http). Ports and paths live here so manifests, webhooks and probes cannot disagree.
 */
export const PODINFO = {
  /** Application HTTP port (`--port`). */
  httpPort: 9898,
  /** Prometheus metrics port (`--port-metrics`): `http_request_duration_seconds` histogram. */
  metricsPort: 9797,
  httpPortName: 'http',
  metricsPortName: 'http-metrics',
  /** Directory the ConfigMap is mounted at; podinfo reads `<config-path>/config.yaml` through viper. */
  configPath: '/podinfo/config',
  configFile: 'config.yaml',
  /** podinfo writes uploads here (`--data-path`): a writable emptyDir under a read-only root filesystem. */
  dataPath: '/data',
  livenessPath: '/healthz',
  readinessPath: '/readyz',
  /**
   * POST with `backend-url` set: forwards the body to every backend at once and answers 200 with a
   * JSON array of strings, one per backend: its body, or `backend <url> call failed …` /
   * `backend <url> response status code <n>`. A failing downstream never changes the status: only
   * the body tells. Without `backend-url`: 202 with the body as posted.
   */
  echoPath: '/echo',
  containerName: 'podinfo',
} as const;
