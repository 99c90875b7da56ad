/**
 * How a failure reaches the user. A CanaryshipError (bad input, a refusal, a missing program) is one
 * line with what to do, exit 1 or 2; wrong arguments add the command's help. Anything else is a bug
 * in canaryship and says so, with its stack.
 */
import { CanaryshipError, DistributionError, formatIssue } from '@canaryship/blocks';
import type { CommandSpec, Io } from './command.js';

const INTERNAL_ERROR = 70;

const isParseArgsError = (error: unknown): error is Error => String((error as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS');

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
  if (isParseArgsError(error)) {
    io.stderr.write(`error: ${error.message}\n\nUsage: canaryship ${command.usage}\n`);
    return 2;
  }
  io.stderr.write(`internal error (a bug in canaryship, please report it):\n${(error as Error)?.stack ?? String(error)}\n`);
  return INTERNAL_ERROR;
}
