/** Dispatch and error reporting only; each command parses its own arguments in commands/. */
import { DistributionError, formatIssue } from '@canaryship/blocks';
import { ImmutableVersionError, PublishError, RegistryError } from '@canaryship/release';
import { UsageError, type Io } from './command.js';
import { COMMANDS } from './commands/index.js';

const help = (): string =>
  [
    'canaryship: typed manifests to Flux-ready distributions',
    '',
    'Usage:',
    ...COMMANDS.map((c) => `  canaryship ${c.help}`),
    '',
    'Examples:',
    ...COMMANDS.flatMap((c) => c.examples.map((e) => `  ${e}`)),
    '',
  ].join('\n');

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  try {
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"`);
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof DistributionError) {
      io.stderr.write(`error: ${error.issues.length} problem(s); nothing was written\n`);
      for (const issue of error.issues) io.stderr.write(`  ${formatIssue(issue)}\n`);
      return 1;
    }
    if (error instanceof ImmutableVersionError || error instanceof RegistryError || error instanceof PublishError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`error: ${(error as Error).message}\n\n${help()}`);
      return 2;
    }
    io.stderr.write(`internal error (a bug in canaryship, please report it):\n${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}
