/**
 * How a failure reaches the user. A CanaryshipError (bad input, a refusal, a missing program) is one
 * line with what to do, exit 1 or 2; wrong arguments add the command's help. Anything else is a bug
 * in canaryship and says so, with its stack.
 */
import { CanaryshipError, DistributionError, formatIssue } from '@canaryship/blocks';
import type { CommandSpec, Io } from './command.js';

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

export function report(error: unknown, command: CommandSpec, io: Io): number {
  if (error instanceof DistributionError) {
    io.stderr.write(`error: ${error.issues.length} problem(s); nothing was written\n`);
    for (const issue of error.issues) io.stderr.write(`  ${formatIssue(issue)}\n`);
    return error.exitCode;
  }
  if (error instanceof CanaryshipError) {
    io.stderr.write(`error: ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`);
    if (error.code === 'usage') io.stderr.write(`\nUsage: canaryship ${command.usage}\n`);
    return error.exitCode;
  }
  if (isSystemError(error) && error.code !== undefined && SYSTEM_HINTS[error.code]) {
    io.stderr.write(`error: cannot ${error.syscall} ${error.path ?? ''}: ${error.code}\n  ${SYSTEM_HINTS[error.code]}\n`);
    return 1;
  }
  if (isParseArgsError(error)) {
    io.stderr.write(`error: ${error.message}\n\nUsage: canaryship ${command.usage}\n`);
    return 2;
  }
  io.stderr.write(`internal error (a bug in canaryship, please report it):\n${(error as Error)?.stack ?? String(error)}\n`);
  return INTERNAL_ERROR;
}
