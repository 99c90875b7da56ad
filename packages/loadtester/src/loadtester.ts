/**
 * Flagger loadtester (ghcr.io/fluxcd/flagger-loadtester): receives Flagger's webhooks and runs
 * `bash` tasks (blocking: conformance tests) and `cmd` tasks (asynchronous: hey load tests).
 * https://docs.flagger.app/usage/webhooks#load-testing
 */
import {
  LOADTESTER_IMAGE,
  LOADTESTER_VERSION,
  commonLabels,
  hardenContainer,
  imageRef,
  podLabels,
  restrictedPodSecurityContext,
  scratchVolume,
  selectorLabels,
  type TestRunnerComponent,
} from '@canaryship/blocks';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';

export const LOADTESTER = {
  name: 'flagger-loadtester',
  containerPort: 8080,
  servicePort: 80,
  portName: 'http',
  /** Longest a task may run; load tests last one analysis interval, conformance tests seconds. */
  taskTimeout: '1h',
} as const;

export const loadtesterUrl = (namespace: string): string => `http://${LOADTESTER.name}.${namespace}/`;

export function loadtesterDeployment(namespace: string): Deployment {
  const { name } = LOADTESTER;
  const scratch = scratchVolume('tmp', '/tmp');
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: commonLabels(name, 'test-runner') },
    spec: {
      // Not autoscaled: one runner keeps webhook tasks de-duplicated in one place.
      replicas: 1,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(name) },
      template: {
        // Not scraped: its one port is also its command API, which only Flagger reaches.
        metadata: { labels: podLabels(name, 'test-runner') },
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext,
          containers: [
            hardenContainer({
              name: 'loadtester',
              image: imageRef(LOADTESTER_IMAGE, LOADTESTER_VERSION),
              command: ['./loadtester', `-port=${LOADTESTER.containerPort}`, '-log-level=info', `-timeout=${LOADTESTER.taskTimeout}`],
              ports: [{ name: LOADTESTER.portName, containerPort: LOADTESTER.containerPort, protocol: 'TCP' }],
              livenessProbe: { httpGet: { path: '/healthz', port: LOADTESTER.portName }, timeoutSeconds: 5 },
              readinessProbe: { httpGet: { path: '/healthz', port: LOADTESTER.portName }, timeoutSeconds: 5 },
              resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              volumeMounts: [scratch.mount],
            }),
          ],
          volumes: [scratch.volume],
        },
      },
    },
  };
}

export function loadtesterService(namespace: string): Service {
  const { name } = LOADTESTER;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: commonLabels(name, 'test-runner') },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(name),
      ports: [{ name: LOADTESTER.portName, port: LOADTESTER.servicePort, targetPort: LOADTESTER.portName, protocol: 'TCP' }],
    },
  };
}

/** The loadtester as a distribution's test runner: its URL for webhooks and its objects. */
export const loadtester: TestRunnerComponent = {
  name: 'loadtester',
  workload: LOADTESTER.name,
  port: LOADTESTER.containerPort,
  runner: (namespace) => ({ url: loadtesterUrl(namespace) }),
  objects: (namespace) => [loadtesterDeployment(namespace), loadtesterService(namespace)],
};
