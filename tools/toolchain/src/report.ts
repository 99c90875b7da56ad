/**
 * How a failure reaches the user of any of our command lines (`canaryship`,
 * `canaryship-provider-path`). A CanaryshipError (bad input, a refusal, a missing program, a wait
 * that timed out) is one line with what to do, exit 1 or 2; wrong arguments add the usage. Anything
 * else is a bug and says so, with its stack.
 */
import { CanaryshipError, DistributionError, formatIssue } from '@canaryship/blocks';

const INTERNAL_ERROR = 70;

const isParseArgsError = (error: unknown): error is Error => String((error as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS');

/** What the machine refused (a full disk, a read-only or missing folder): not a bug, and said as such. */
const SYSTEM_HINTS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full: free some space and rerun',
  EDQUOT: 'the disk quota is exhausted: free some space and rerun',
  EACCES: 'check the permissions of that path',
  EPERM: 'check the permissions of that path',
  EROFS: 'that filesystem is read-only: choose another path',
  ENOTDIR: 'a part of that path is a file, not a folder',
  EMFILE: 'too many open files: raise the limit (ulimit -n)',
};

const isSystemError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string' && typeof (error as NodeJS.ErrnoException).code === 'string';

const indented = (text: string): string => `  ${text.replaceAll('\n', '\n  ')}\n`;

/**
 * Writes what went wrong to `stderr` and returns the exit code. `usage` is the command's usage
 * (`canaryship render [DIR] …`), shown after a usage error.
 */
export function report(error: unknown, usage: string, stderr: { write(text: string): unknown }): number {
  if (error instanceof DistributionError) {
    stderr.write(`error: ${error.issues.length} problem(s); nothing was written\n`);
    for (const issue of error.issues) stderr.write(`  ${formatIssue(issue)}\n`);
    return error.exitCode;
  }
  if (error instanceof CanaryshipError) {
    stderr.write(`error: ${error.message}\n${error.hint ? indented(error.hint) : ''}`);
    if (error.code === 'usage') stderr.write(`\nUsage: ${usage}\n`);
    return error.exitCode;
  }
  if (isSystemError(error) && error.code !== undefined && SYSTEM_HINTS[error.code]) {
    stderr.write(`error: cannot ${error.syscall} ${error.path ?? ''}: ${error.code}\n  ${SYSTEM_HINTS[error.code]}\n`);
    return 1;
  }
  if (isParseArgsError(error)) {
    stderr.write(`error: ${error.message}\n\nUsage: ${usage}\n`);
    return 2;
  }
  stderr.write(`internal error (a bug in canaryship, please report it):\n${(error as Error)?.stack ?? String(error)}\n`);
  return INTERNAL_ERROR;
}
