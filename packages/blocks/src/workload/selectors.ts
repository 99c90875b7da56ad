/**
 * Kubernetes label selectors, as the API server evaluates them (apimachinery labels.Selector):
 * `matchLabels` and `matchExpressions` (In, NotIn, Exists, DoesNotExist) all have to hold; an empty
 * selector selects everything. Shared by validation and by the local data plane, so both read a
 * NetworkPolicy or a Service the same way.
 */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return false;
  const equal = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const expressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return labels[key] !== undefined && values.includes(labels[key]);
      case 'NotIn':
        return labels[key] === undefined || !values.includes(labels[key]);
      case 'Exists':
        return labels[key] !== undefined;
      case 'DoesNotExist':
        return labels[key] === undefined;
      default:
        return false;
    }
  });
  return equal && expressions;
}
