/** The minimal shape every object in a distribution has (optional as in kubernetes-types; always set by our builders). */
export interface KubernetesObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

/** One object at its place in the distribution tree, e.g. `frontend/canary.yaml`. */
export interface PlacedObject {
  readonly path: string;
  readonly object: KubernetesObject;
}

/** File name of an object inside its folder: its role, by kind. */
export const FILE_BY_KIND: Readonly<Record<string, string>> = {
  Namespace: 'namespace.yaml',
  ConfigMap: 'configmap.yaml',
  Service: 'service.yaml',
  Deployment: 'deployment.yaml',
  HorizontalPodAutoscaler: 'hpa.yaml',
  PodDisruptionBudget: 'pdb.yaml',
  Canary: 'canary.yaml',
  NetworkPolicy: 'networkpolicy.yaml',
};
