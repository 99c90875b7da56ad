/**
 * How a failure reaches the user of any of our command lines (`canaryship`,
 * `canaryship-provider-path`). A CanaryshipError (bad input, a refusal, a missing program, a wait
 * that timed out) is one line with what to do, exit 1 or 2; wrong arguments add the usage. Anything
 * else is a bug and says so, with its stack.
 */
import { CanaryshipError, DistributionError, formatIssue } from '@canaryship/blocks';

const INTERNAL_ERROR = 70;

const isParseArgsError = (error: unknown): error is Error => String((error as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS');

/** The options a usage line names (`--out`, `--json`, …). */
const optionsOf = (usage: string): string[] => [...new Set([...usage.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))];

/**
 * Node's parseArgs words for what went wrong, in ours: the option it did not know and the nearest
 * the command has, or the option that wants a value. Anything else, as Node says it.
 */
function parseArgsMessage(error: Error, usage: string): string {
  const unknown = /^Unknown option '([^']+)'/.exec(error.message)?.[1];
  if (unknown !== undefined) {
    const options = optionsOf(usage);
    const near = closest(unknown, options);
    return `unknown option ${unknown}${near ? `; did you mean ${near}?` : options.length > 0 ? `; options: ${options.join(', ')}` : ''}`;
  }
  const missing = /^Option '(?:-\w, )?(--[^ ]+) <value>' argument missing/.exec(error.message)?.[1];
  if (missing !== undefined) return `${missing} needs a value`;
  return error.message;
}

/**
 * The candidate closest to `word` by edit distance, if it is close enough to be a slip (at most a
 * third of its letters). Written here: a dozen lines, where a library would be a dependency for one call.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i += 1) {
      const next = [i];
      for (let j = 1; j <= b.length; j += 1) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length]!;
  };
  const ranked = candidates.map((c) => ({ c, d: distance(word, c) })).sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.c : undefined;
}

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

/** A failure of the operating system (a path, a permission), with the call and path it names. */
export const isSystemError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string' && typeof (error as NodeJS.ErrnoException).code === 'string';

const indented = (text: string): string => `  ${text.replaceAll('\n', '\n  ')}\n`;

/** What went wrong as data, for a command run with `--json`: CI reads the same facts the line says. */
export function failureAsJson(error: unknown, exitCode: number): { error: Record<string, unknown> } {
  if (error instanceof DistributionError) return { error: { code: error.code, exitCode, message: error.message.split('\n')[0], issues: error.issues } };
  if (error instanceof CanaryshipError) return { error: { code: error.code, exitCode, message: error.message, ...(error.hint !== undefined && { hint: error.hint }) } };
  if (isParseArgsError(error)) return { error: { code: 'usage', exitCode, message: error.message } };
  return { error: { code: exitCode === INTERNAL_ERROR ? 'internal' : 'system', exitCode, message: (error as Error)?.message ?? String(error) } };
}

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
    stderr.write(`error: ${parseArgsMessage(error, usage)}\n\nUsage: ${usage}\n`);
    return 2;
  }
  stderr.write(`internal error (a bug in canaryship, please report it):\n${(error as Error)?.stack ?? String(error)}\n`);
  return INTERNAL_ERROR;
}
