/** A release step failed for a reason the user can fix (not a bug): reported without a stack. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
}
