/**
 * The base objects of one podinfo service: ConfigMap, Deployment, HorizontalPodAutoscaler,
 * PodDisruptionBudget and Service. Pure functions of the parsed input and the namespace.
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { ConfigMap, Service } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { stringify } from 'yaml';
import { PODINFO_IMAGE, imageRef } from '../images.js';
import { PODINFO } from '../podinfo.js';
import type { ServiceSpec } from '../service/input.js';
import { hardenContainer, restrictedPodSecurityContext, scratchVolume } from './hardening.js';
import { commonLabels, podLabels, selectorLabels } from './labels.js';
import { clusterIpService, disruptionBudget } from './selecting.js';

export interface ServiceObjects {
  readonly configMap: ConfigMap;
  readonly deployment: Deployment;
  readonly autoscaler: HorizontalPodAutoscaler;
  readonly disruptionBudget: PodDisruptionBudget;
  /**
   * A ClusterIP Service for running the service without Flagger. Distributions leave it out: the
   * Canary generates `<name>`, `<name>-primary` and `<name>-canary`, and a shipped Service would have
   * its selector rewritten by Flagger and reverted by Flux on every reconcile.
   */
  readonly service: Service;
}

export const configMapName = (service: string): string => `${service}-config`;

/** In-cluster URL of a service's podinfo HTTP port. */
export const serviceUrl = (service: string, namespace: string, path = ''): string =>
  `http://${service}.${namespace}:${PODINFO.httpPort}${path}`;

/** podinfo's configuration file for this role; keys are podinfo's flag names (read through viper). */
export function podinfoConfig(spec: ServiceSpec, namespace: string): string {
  return stringify(
    {
      'backend-url': spec.config.calls.map((callee) => serviceUrl(callee, namespace, PODINFO.echoPath)),
      level: spec.config.logLevel,
      'ui-color': spec.config.color,
      'ui-message': spec.config.message,
    },
    { lineWidth: 0 },
  );
}

export function serviceObjects(spec: ServiceSpec, namespace: string): ServiceObjects {
  const { name } = spec;
  const labels = commonLabels(name, name);
  const metadata = { name, namespace, labels, annotations: { 'canaryship.dev/description': spec.description } };
  const data = scratchVolume('data', PODINFO.dataPath);

  const configMap: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMapName(name), namespace, labels },
    data: { [PODINFO.configFile]: podinfoConfig(spec, namespace) },
  };

  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      // No `replicas`: the HPA owns the count, and a value here would undo Flagger's scale-down on every Flux apply.
      revisionHistoryLimit: 5,
      minReadySeconds: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      selector: { matchLabels: selectorLabels(name) },
      template: {
        metadata: {
          labels: podLabels(name, name),
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(PODINFO.metricsPort) },
        },
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext,
          terminationGracePeriodSeconds: 30,
          containers: [
            hardenContainer({
              name: PODINFO.containerName,
              image: imageRef(PODINFO_IMAGE, spec.podinfoVersion),
              command: [
                './podinfo',
                `--port=${PODINFO.httpPort}`,
                `--port-metrics=${PODINFO.metricsPort}`,
                `--config-path=${PODINFO.configPath}`,
                `--data-path=${PODINFO.dataPath}`,
              ],
              ports: [
                { name: PODINFO.httpPortName, containerPort: PODINFO.httpPort, protocol: 'TCP' },
                { name: PODINFO.metricsPortName, containerPort: PODINFO.metricsPort, protocol: 'TCP' },
              ],
              livenessProbe: {
                httpGet: { path: PODINFO.livenessPath, port: PODINFO.httpPortName },
                initialDelaySeconds: 5,
                timeoutSeconds: 5,
              },
              readinessProbe: {
                httpGet: { path: PODINFO.readinessPath, port: PODINFO.httpPortName },
                initialDelaySeconds: 5,
                timeoutSeconds: 5,
              },
              resources: { requests: { ...spec.resources.requests }, limits: { ...spec.resources.limits } },
              volumeMounts: [{ name: 'config', mountPath: PODINFO.configPath, readOnly: true }, data.mount],
            }),
          ],
          volumes: [{ name: 'config', configMap: { name: configMapName(name) } }, data.volume],
        },
      },
    },
  };

  const autoscaler: HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: spec.autoscaling.minReplicas,
      maxReplicas: spec.autoscaling.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.autoscaling.targetCpuUtilizationPercent } },
        },
      ],
    },
  };

  const service = clusterIpService(name, namespace, labels, { name: PODINFO.httpPortName, port: PODINFO.httpPort });

  return { configMap, deployment, autoscaler, disruptionBudget: disruptionBudget(name, namespace, labels), service };
}
