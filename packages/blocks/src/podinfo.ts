/**
 * Facts about the podinfo binary that every service runs (read from podinfo 6.9.2's cmd/podinfo).
 * Ports and paths live here so manifests, webhooks and probes cannot disagree.
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
  /** POST forwards the body to every `backend-url` and fails with 500 if one of them fails. */
  echoPath: '/echo',
  containerName: 'podinfo',
} as const;
