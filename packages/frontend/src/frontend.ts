import { abTesting, blueGreen, cookie, defineService, header, progressive, type ABTesting, type BlueGreen, type Progressive, type ServiceDefinition } from '@canaryship/blocks';

/**
 * The user-facing tier: every request enters here and fans out through backend.
 * Analysis every minute with a threshold of 3: users see this service first, so three failed
 * minutes (not one transient blip during pod warm-up) roll a release back.
 */
export const frontend: ServiceDefinition<{ kubernetes: BlueGreen; istio: ABTesting; linkerd: Progressive }> = defineService(
  {
    name: 'frontend',
    description: 'User-facing web tier; calls backend.',
    config: { message: 'frontend', color: '#34577c', calls: ['backend'] },
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilizationPercent: 80 },
    analysis: { interval: '1m', threshold: 3 },
    slo: { availabilityPercent: 99, errorRatePercent: 2, averageResponseTimeMs: 150, p99ResponseTimeMs: 500 },
    load: { requestsPerSecond: 10, concurrency: 2 },
    // The chain check (an echo that must come back from cache and database through backend) is added to every service.
    conformance: [
      { name: 'ready', path: '/readyz' },
      { name: 'version', path: '/version' },
    ],
  },
  {
    kubernetes: blueGreen({ iterations: 10 }),
    // Insiders opt in by header or by cookie; everyone else stays on the primary.
    istio: abTesting({ iterations: 10, match: [header('x-canary', { exact: 'insider' }), cookie('canary', 'always')] }),
    // Users stay on the version that first answered them while the weight moves (a cookie set by the route).
    linkerd: progressive({ stepWeight: 10, maxWeight: 50, sessionAffinity: { cookieName: 'canaryship-frontend', maxAgeSeconds: 3600 } }),
  },
);
