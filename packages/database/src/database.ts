import { blueGreen, defineService, mirrored, type BlueGreen, type BlueGreenMirroring, type ServiceDefinition } from '@canaryship/blocks';

/**
 * The data tier backend writes to. Least tolerance of all: a threshold of 2 at one-minute intervals.
 * On Istio the canary is fed a mirror of live traffic, so it is measured on real requests while the
 * primary alone answers them.
 */
export const database: ServiceDefinition<{ kubernetes: BlueGreen; istio: BlueGreenMirroring; linkerd: BlueGreen }> = defineService(
  {
    name: 'database',
    description: 'Data tier written by backend.',
    config: { message: 'database', color: '#8b1a1a' },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercent: 70 },
    analysis: { interval: '1m', threshold: 2 },
    slo: { availabilityPercent: 99.9, errorRatePercent: 0.5, averageResponseTimeMs: 50, p99ResponseTimeMs: 250 },
    load: { requestsPerSecond: 10, concurrency: 2 },
    conformance: [
      { name: 'ready', path: '/readyz' },
      // Writes to the data volume: fails if the writable emptyDir under the read-only root is missing.
      { name: 'store write', method: 'POST', path: '/store', body: '{"check":"conformance"}' },
    ],
  },
  {
    kubernetes: blueGreen({ iterations: 10 }),
    istio: mirrored({ iterations: 10 }),
    linkerd: blueGreen({ iterations: 10 }),
  },
);
