/**
 * Errors a user can act on. Every failure that is not a bug is a `CanaryshipError`: the CLI prints
 * its message (and hint) as one line and exits 1 (bad input, a refusal) or 2 (usage, a missing
 * program). Anything else that escapes a command is a bug and is reported as one.
 *
 * Input issues name where they happened (service, environment, object, field path) so a service
 * team can find the line to fix; a build with any issue writes nothing.
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

export interface CanaryshipErrorOptions {
  /** Stable id of the failure, e.g. `tool.missing`, `registry.refused`. */
  readonly code: string;
  /** What to do about it, when the message alone does not say. */
  readonly hint?: string;
  /** 2 for usage errors and missing programs, 1 for everything else. */
  readonly exitCode?: 1 | 2;
  readonly cause?: unknown;
}

/** A failure the user can fix: reported as one line with what to do, never with a stack trace. */
export class CanaryshipError extends Error {
  override readonly name: string = 'CanaryshipError';
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: 1 | 2;
  constructor(message: string, options: CanaryshipErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Thrown when inputs cannot be rendered; carries every issue found, not just the first. */
export class DistributionError extends CanaryshipError {
  override readonly name = 'DistributionError';
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[]) {
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} found:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`, { code: 'distribution.invalid' });
    this.issues = issues;
  }
}
