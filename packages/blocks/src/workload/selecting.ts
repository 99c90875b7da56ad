/**
 * Objects that select a workload's pods by name: the Service that sends them traffic and the budget
 * that keeps them through voluntary disruptions. Shared by the services and the entry.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { selectorLabels } from './labels.js';

export interface NamedPort {
  readonly name: string;
  readonly port: number;
}

/** A ClusterIP Service sending `port` to the pods' container port of the same name. */
export const clusterIpService = (name: string, namespace: string, labels: Record<string, string>, port: NamedPort): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace, labels },
  spec: {
    type: 'ClusterIP',
    selector: selectorLabels(name),
    ports: [{ name: port.name, port: port.port, targetPort: port.name, protocol: 'TCP' }],
  },
});

/** At most one pod down at a time. Matches primary and canary pods alike (see labels.ts): the budget holds during a release too. */
export const disruptionBudget = (name: string, namespace: string, labels: Record<string, string>): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, namespace, labels },
  spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': name } } },
});
