import { abTesting, blueGreen, cookie, defineService, header, progressive } from '@canaryship/blocks';

/**
 * The user-facing tier: every request enters here and fans out through backend.
 * Analysis every minute with a threshold of 3: users see this service first, so three failed
 * minutes (not one transient blip during pod warm-up) roll a release back.
 */
export const frontend = defineService(
  {
    name: 'frontend',
    description: 'User-facing web tier; calls backend.',
    config: { message: 'frontend', color: '#34577c', calls: ['backend'] },
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilizationPercent: 80 },
    analysis: { interval: '1m', threshold: 3 },
    slo: { availabilityPercent: 99, errorRatePercent: 2, averageResponseTimeMs: 150, p99ResponseTimeMs: 500 },
    load: { requestsPerSecond: 10, concurrency: 2 },
    conformance: [
      { name: 'ready', path: '/readyz' },
      // POST /echo forwards through backend to cache and database: the whole chain answers, or this fails.
      { name: 'echo through backend', method: 'POST', path: '/echo', body: '{"check":"conformance"}' },
    ],
  },
  {
    kubernetes: blueGreen({ iterations: 10 }),
    // Insiders opt in by header or by cookie; everyone else stays on the primary.
    istio: abTesting({ iterations: 10, match: [header('x-canary', { exact: 'insider' }), cookie('canary', 'always')] }),
    linkerd: progressive({ stepWeight: 10, maxWeight: 50 }),
  },
);
