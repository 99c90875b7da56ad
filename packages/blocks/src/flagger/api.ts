/**
 * Typed Flagger API, `flagger.app/v1beta1` (the only version Flagger 1.44 serves).
 * Covers the fields the distributions use; field docs follow the CRD (artifacts/flagger/crd.yaml).
 * https://docs.flagger.app/usage/how-it-works
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { MeshProvider } from '../environment.js';

export const FLAGGER_API_VERSION = 'flagger.app/v1beta1';

/** Header, cookie (through the `cookie` header) or query parameter condition of an A/B route. */
export interface StringMatch {
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
}

/** One entry of `analysis.match`: every condition in it must hold (Istio HTTPMatchRequest shape). */
export interface HttpMatchRequest {
  readonly headers?: Readonly<Record<string, StringMatch>>;
  readonly queryParams?: Readonly<Record<string, StringMatch>>;
}

export interface ThresholdRange {
  readonly min?: number;
  readonly max?: number;
}

export interface CanaryMetric {
  readonly name: string;
  /** Window of the query, e.g. `1m`. */
  readonly interval?: string;
  readonly thresholdRange: ThresholdRange;
  /** A MetricTemplate; without it `name` must be a builtin (`request-success-rate`, `request-duration`). */
  readonly templateRef?: { readonly name: string; readonly namespace?: string };
}

export type WebhookType =
  | 'confirm-rollout'
  | 'pre-rollout'
  | 'rollout'
  | 'confirm-traffic-increase'
  | 'confirm-promotion'
  | 'post-rollout'
  | 'rollback'
  | 'event';

export interface CanaryWebhook {
  readonly name: string;
  readonly type: WebhookType;
  readonly url: string;
  /** Request timeout, e.g. `30s`. */
  readonly timeout?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface CanaryAnalysis {
  /** Time between checks; matches `^[0-9]+(m|s)`, at least 10s. */
  readonly interval: string;
  /** Failed checks (cumulative) before rollback. */
  readonly threshold: number;
  readonly iterations?: number;
  readonly stepWeight?: number;
  readonly maxWeight?: number;
  readonly stepWeights?: readonly number[];
  readonly mirror?: boolean;
  readonly mirrorWeight?: number;
  readonly match?: readonly HttpMatchRequest[];
  /** Progressive canaries: the cookie that keeps a user on the version that first answered them. */
  readonly sessionAffinity?: { readonly cookieName: string; readonly maxAge?: number };
  readonly metrics: readonly CanaryMetric[];
  readonly webhooks: readonly CanaryWebhook[];
}

/** Gateway API ParentReference; for the mesh (GAMMA) it names the Service itself. */
export interface GatewayRef {
  readonly name: string;
  readonly namespace: string;
  readonly group: string;
  readonly kind: string;
  readonly port: number;
}

export interface CanaryService {
  readonly port: number;
  readonly targetPort?: number | string;
  readonly portName?: string;
  readonly gatewayRefs?: readonly GatewayRef[];
}

export interface CrossNamespaceObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export interface Canary {
  readonly apiVersion: typeof FLAGGER_API_VERSION;
  readonly kind: 'Canary';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly provider: MeshProvider;
    readonly targetRef: CrossNamespaceObjectReference;
    readonly autoscalerRef?: CrossNamespaceObjectReference;
    /** Seconds Flagger waits for the canary Deployment to become ready before rolling back. */
    readonly progressDeadlineSeconds?: number;
    readonly service: CanaryService;
    readonly analysis: CanaryAnalysis;
  };
}

export interface MetricTemplate {
  readonly apiVersion: typeof FLAGGER_API_VERSION;
  readonly kind: 'MetricTemplate';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly provider: { readonly type: 'prometheus'; readonly address: string };
    /** PromQL with Flagger's template variables: `{{ namespace }}`, `{{ target }}`, `{{ interval }}`, ... */
    readonly query: string;
  };
}
