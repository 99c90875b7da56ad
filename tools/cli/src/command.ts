/** What every command provides; main.ts lists them and dispatches, nothing more. */
export interface Io {
  readonly cwd: string;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export interface Command {
  readonly name: string;
  /** Usage lines and description, for the help text. */
  readonly help: string;
  readonly examples: readonly string[];
  /** Parses its own arguments; returns the exit code. */
  run(args: readonly string[], io: Io): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Progress goes to stderr, so stdout stays clean for --json. */
export const progressTo = (io: Io) => (message: string): void => void io.stderr.write(`${message}\n`);

export const printJson = (io: Io, value: unknown): void => void io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
