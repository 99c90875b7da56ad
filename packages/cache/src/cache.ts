import { blueGreen, defineService, type BlueGreen, type ServiceDefinition } from '@canaryship/blocks';

/**
 * The cache tier backend reads through. It answers in milliseconds, so its SLOs are tight and a
 * 30s interval gives a quick signal; a threshold of 2 rolls back within about a minute of failing,
 * before a slow cache slows every backend request.
 */
export const cache: ServiceDefinition<{ kubernetes: BlueGreen; istio: BlueGreen; linkerd: BlueGreen }> = defineService(
  {
    name: 'cache',
    description: 'Cache tier read by backend.',
    config: { message: 'cache', color: '#b8860b' },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercent: 80 },
    analysis: { interval: '30s', threshold: 2 },
    slo: { availabilityPercent: 99.9, errorRatePercent: 0.5, averageResponseTimeMs: 20, p99ResponseTimeMs: 100 },
    load: { requestsPerSecond: 20, concurrency: 2 },
    conformance: [
      { name: 'ready', path: '/readyz' },
      { name: 'version', path: '/version' },
    ],
  },
  {
    kubernetes: blueGreen({ iterations: 10 }),
    istio: blueGreen({ iterations: 10 }),
    linkerd: blueGreen({ iterations: 10 }),
  },
);
