import { blueGreen, defineService, progressive, type BlueGreen, type Progressive, type ServiceDefinition } from '@canaryship/blocks';

/**
 * The API tier behind frontend; calls cache and database.
 * Analysis every minute with a threshold of 3: it serves every frontend request, and weight moves in
 * 10% steps, so a bad release reaches at most a small share of traffic before three failures stop it.
 */
export const backend: ServiceDefinition<{ kubernetes: BlueGreen; istio: Progressive; linkerd: Progressive }> = defineService(
  {
    name: 'backend',
    description: 'API tier; calls cache and database.',
    config: { message: 'backend', color: '#2f7d32', calls: ['cache', 'database'] },
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    autoscaling: { minReplicas: 2, maxReplicas: 8, targetCpuUtilizationPercent: 75 },
    analysis: { interval: '1m', threshold: 3 },
    slo: { availabilityPercent: 99.5, errorRatePercent: 1, averageResponseTimeMs: 100, p99ResponseTimeMs: 400 },
    load: { requestsPerSecond: 20, concurrency: 4 },
    conformance: [{ name: 'ready', path: '/readyz' }],
  },
  {
    kubernetes: blueGreen({ iterations: 10 }),
    istio: progressive({ stepWeight: 10, maxWeight: 50 }),
    linkerd: progressive({ stepWeight: 10, maxWeight: 50 }),
  },
);
