/** What every command provides; commands/index.ts lists them, main.ts dispatches, nothing more. */
import { CanaryshipError } from '@canaryship/blocks';

export interface Io {
  readonly cwd: string;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** A command's entry in the list: all that `--help` needs, and how to load the command itself. */
export interface CommandSpec {
  readonly name: string;
  /** Arguments and options, e.g. `render [DIR] [--out OUT] [--json]`. */
  readonly usage: string;
  readonly description: string;
  readonly examples: readonly string[];
  /** Options --help describes one by one (with their defaults), where the usage line alone does not say. */
  readonly options?: readonly { readonly flag: string; readonly says: string }[];
  /** Loaded only when the command runs: the CLI pays for no other command's modules. */
  readonly load: () => Promise<CommandModule>;
}

export interface CommandModule {
  /** Parses its own arguments; returns the exit code. */
  run(args: readonly string[], io: Io): Promise<number>;
}

/** Wrong arguments: exit 2, with the command's help. */
export class UsageError extends CanaryshipError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message, { code: 'usage', exitCode: 2 });
  }
}

/** Progress goes to stderr, so stdout stays clean for --json. */
export const progressTo = (io: Io) => (message: string): void => void io.stderr.write(`${message}\n`);

export const printJson = (io: Io, value: unknown): void => void io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
