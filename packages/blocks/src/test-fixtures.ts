/** Shared fixtures for the blocks tests: a valid service input and a stand-in test runner. */
import type { EntryComponent, TestRunnerComponent } from './distribution/define.js';
import type { ServiceInput } from './service/input.js';

export const input = {
  name: 'api',
  description: 'test service',
  config: { message: 'api', color: '#123456' },
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
  autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercent: 80 },
  analysis: { interval: '1m', threshold: 2 },
  slo: { availabilityPercent: 99, errorRatePercent: 1, averageResponseTimeMs: 100, p99ResponseTimeMs: 300 },
  conformance: [{ name: 'ready', path: '/readyz' }],
} as const satisfies ServiceInput;

export const loadtesterLike: TestRunnerComponent = {
  name: 'runner',
  workload: 'runner',
  port: 8080,
  runner: (namespace) => ({ url: `http://runner.${namespace}/` }),
  objects: () => [],
};

/** An entry with no objects of its own, in front of `upstream`. */
export const entryLike = (upstream = 'api'): EntryComponent => ({ name: 'edge', upstream, port: 8080, objects: () => [] });
