/** Builds a service's Canary for one environment from its parsed input and strategy. */
import type { EnvironmentProfile } from '../environment.js';
import { PODINFO } from '../podinfo.js';
import type { ServiceSpec } from '../service/input.js';
import { canaryMetrics, metricWindow } from '../slo/metrics.js';
import { strategyFields } from '../strategy/analysis.js';
import type { Strategy } from '../strategy/strategies.js';
import { durationSeconds } from '../duration.js';
import { chainWebhook, conformanceWebhook } from '../webhooks/conformance.js';
import { loadTestWebhooks } from '../webhooks/load-test.js';
import type { TestRunner } from '../webhooks/test-runner.js';
import { commonLabels } from '../workload/labels.js';
import { FLAGGER_API_VERSION, type Canary, type CanaryService } from './api.js';

function canaryService(spec: ServiceSpec, profile: EnvironmentProfile, namespace: string): CanaryService {
  const base = { port: PODINFO.httpPort, targetPort: PODINFO.httpPortName, portName: PODINFO.httpPortName };
  if (profile.provider !== 'gatewayapi:v1beta1') return base;
  // Gateway API for the mesh (GAMMA): the HTTPRoute Flagger generates attaches to the Service itself.
  return { ...base, gatewayRefs: [{ name: spec.name, namespace, group: 'core', kind: 'Service', port: PODINFO.httpPort }] };
}

export function buildCanary(
  spec: ServiceSpec,
  strategy: Strategy,
  profile: EnvironmentProfile,
  namespace: string,
  runner: TestRunner,
  chainAnswers: number,
): Canary {
  const intervalSeconds = durationSeconds(spec.analysis.interval);
  return {
    apiVersion: FLAGGER_API_VERSION,
    kind: 'Canary',
    metadata: { name: spec.name, namespace, labels: commonLabels(spec.name, spec.name) },
    spec: {
      provider: profile.provider,
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
      autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: spec.name },
      progressDeadlineSeconds: spec.analysis.progressDeadlineSeconds,
      service: canaryService(spec, profile, namespace),
      analysis: {
        interval: spec.analysis.interval,
        threshold: spec.analysis.threshold,
        ...strategyFields(strategy),
        metrics: canaryMetrics(profile.name, spec, metricWindow(intervalSeconds)),
        webhooks: [
          conformanceWebhook(spec, namespace, runner, chainAnswers),
          ...loadTestWebhooks(spec, strategy, namespace, runner, intervalSeconds),
          chainWebhook(spec, namespace, runner, chainAnswers),
        ],
      },
    },
  };
}
