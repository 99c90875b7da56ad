/**
 * User-facing validation errors. Each issue names where it happened (service, environment, object,
 * field path) so a service team can find the line to fix; a build with any issue writes nothing.
 */
export interface Issue {
  /** Stable rule id, e.g. `input.invalid`, `strategy.unsupported`. */
  readonly code: string;
  readonly environment?: string;
  readonly service?: string;
  /** `Kind/name` of the object the field belongs to, when the issue is about an object. */
  readonly object?: string;
  /** Dot path of the field, e.g. `slo.p99ResponseTimeMs` or `strategy.stepWeight`. */
  readonly path: string;
  readonly message: string;
}

export const formatIssue = (issue: Issue): string => {
  const where = [
    issue.service && `service ${issue.service}`,
    issue.environment && `environment ${issue.environment}`,
    issue.object && `object ${issue.object}`,
    issue.path && `field ${issue.path}`,
  ]
    .filter(Boolean)
    .join(', ');
  return `${where}: ${issue.message} [${issue.code}]`;
};

/** Thrown when inputs cannot be rendered; carries every issue found, not just the first. */
export class DistributionError extends Error {
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[]) {
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} found:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.name = 'DistributionError';
    this.issues = issues;
  }
}
