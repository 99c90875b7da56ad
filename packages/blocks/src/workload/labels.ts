/**
 * Labels every object carries. `app` is the selector label: Flagger rewrites it to `<name>-primary`
 * on the primary Deployment it generates and copies every other label unchanged, so
 * `app.kubernetes.io/name` selects a service's pods on both sides of a release (used by the PDB).
 */
export const APP_NAME = 'webapp';
export const MANAGED_BY = 'canaryship';

/** What every object of the app carries, whichever component it belongs to. */
export const APP_LABELS: Readonly<Record<string, string>> = { 'app.kubernetes.io/part-of': APP_NAME, 'app.kubernetes.io/managed-by': MANAGED_BY };

export const selectorLabels = (name: string): Record<string, string> => ({ app: name });

export const commonLabels = (name: string, component: string): Record<string, string> => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/component': component,
  ...APP_LABELS,
});

export const podLabels = (name: string, component: string): Record<string, string> => ({
  ...selectorLabels(name),
  ...commonLabels(name, component),
});
