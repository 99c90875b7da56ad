/** Release failures a user can act on: reported as one line with what to do, never as a bug. */
import { CanaryshipError, type CanaryshipErrorOptions } from '@canaryship/blocks';

type Options = Omit<CanaryshipErrorOptions, 'code'> & { readonly code?: string };

/** A release step refused or failed for a reason in the user's hands (input, git, the local layout). */
export class PublishError extends CanaryshipError {
  override readonly name: string = 'PublishError';
  constructor(message: string, options: Options = {}) {
    super(message, { code: 'publish.failed', ...options });
  }
}

/** A published version exists with other content: versions never change. */
export class ImmutableVersionError extends PublishError {
  override readonly name = 'ImmutableVersionError';
  constructor(message: string, hint = 'a published version never changes: bump the version (add a changeset)') {
    super(message, { code: 'publish.immutable', hint });
  }
}

/** The registry refused, failed, or did not answer. `status` is the HTTP status, when there was one. */
export class RegistryError extends PublishError {
  override readonly name = 'RegistryError';
  constructor(
    message: string,
    readonly status?: number,
    hint?: string,
  ) {
    super(message, { code: 'registry.failed', ...(hint !== undefined && { hint }) });
  }
}
