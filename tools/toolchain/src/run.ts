/**
 * Runs an external program and turns its failures into errors a user can act on: a program that is
 * not installed names itself and how to get it (exit 2); one that fails shows the end of what it
 * printed. Never a TypeError from reading a field of an error that has none.
 */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { CanaryshipError } from '@canaryship/blocks';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions extends Pick<ExecFileOptions, 'cwd' | 'env' | 'timeout'> {
  /** Largest output kept, in bytes (default 64 MiB). */
  readonly maxBuffer?: number;
  /** How to get the program, for the error when it is missing. */
  readonly install?: string;
  readonly input?: string | Buffer;
  /** Lines of stderr as they arrive (progress of long builds). */
  readonly onStderr?: (text: string) => void;
}

/** A program that is not there: exit 2, with how to get it. */
export class ToolMissing extends CanaryshipError {
  override readonly name = 'ToolMissing';
  constructor(program: string, install: string | undefined) {
    super(`${program} not found`, { code: 'tool.missing', exitCode: 2, ...(install !== undefined && { hint: install }) });
  }
}

/** A program that ran and failed; `output` is the end of what it printed. */
export class ToolFailed extends CanaryshipError {
  override readonly name = 'ToolFailed';
  constructor(
    readonly program: string,
    readonly exit: number | string | null,
    readonly output: string,
  ) {
    super(`${program} failed (${typeof exit === 'number' ? `exit ${exit}` : (exit ?? 'killed')}): ${tail(output)}`, { code: 'tool.failed' });
  }
}

/** The last lines of a program's output, enough to see why it failed without flooding the terminal. */
export const tail = (output: string, lines = 12): string => {
  const kept = output.trim().split('\n').slice(-lines).join('\n');
  return kept.length > 4000 ? `…${kept.slice(-4000)}` : kept || '(no output)';
};

export function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { install, input, onStderr, maxBuffer = 64 << 20, ...rest } = options;
  return new Promise((resolve, reject) => {
    const child = execFile(program, [...args], { ...rest, maxBuffer, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(new ToolMissing(program, install));
      if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return reject(new ToolFailed(program, 'output too large', `more than ${maxBuffer} bytes of output`));
      const exit = (error as { code?: unknown }).code;
      const signal = (error as { signal?: string | null }).signal;
      reject(new ToolFailed(program, typeof exit === 'number' ? exit : (signal ?? null), `${stderr}\n${stdout}`));
    });
    if (onStderr) child.stderr?.on('data', (chunk: string) => onStderr(chunk));
    if (input !== undefined) child.stdin?.end(input);
  });
}
