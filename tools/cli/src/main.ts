/** Dispatch, help and error reporting only; each command parses its own arguments. */
import { createRequire } from 'node:module';
import type { CommandSpec, Io } from './command.js';
import { COMMANDS } from './commands/index.js';

const indent = (text: string, by = '      '): string => text.split('\n').map((line) => `${by}${line}`).join('\n');

export const overview = (): string =>
  [
    'canaryship: typed manifests to Flux-ready distributions',
    '',
    'Usage: canaryship <command> [options]   (canaryship <command> --help for one command, canaryship --version)',
    '',
    ...COMMANDS.map((c) => `  canaryship ${c.usage}\n${indent(c.description)}`),
    '',
    'Examples:',
    ...COMMANDS.flatMap((c) => c.examples.map((e) => `  ${e}`)),
    '',
  ].join('\n');

export const commandHelp = (command: CommandSpec): string => {
  const options = command.options ?? [];
  const width = Math.max(0, ...options.map((o) => o.flag.length));
  return [
    `Usage: canaryship ${command.usage}`,
    '',
    command.description,
    '',
    ...(options.length > 0 ? ['Options:', ...options.map((o) => `  ${o.flag.padEnd(width)}  ${o.says}`), ''] : []),
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
};

const wantsHelp = (args: readonly string[]): boolean => args.some((a) => a === '--help' || a === '-h');

/** The version of this command line: its package's, as npm installed it. */
const cliVersion = (): string => (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === args[0]) : undefined;
    io[name === undefined ? 'stderr' : 'stdout'].write(topic ? commandHelp(topic) : overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`canaryship ${cliVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const { closest } = await import('@canaryship/toolchain');
    const near = closest(name, COMMANDS.map((c) => c.name));
    // Short, so the suggestion stays on screen; the whole overview is one --help away.
    io.stderr.write(`error: unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}\ncommands: ${COMMANDS.map((c) => c.name).join(', ')}\n  canaryship --help says what each does\n`);
    return 2;
  }
  if (wantsHelp(args)) {
    io.stdout.write(commandHelp(command));
    return 0;
  }
  try {
    return await (await command.load()).run(args, io);
  } catch (error) {
    // Loaded only on failure: reporting needs the error classes, which the happy path never pays for.
    const { failureAsJson, report } = await import('@canaryship/toolchain');
    const code = report(error, `canaryship ${command.usage}`, io.stderr);
    // Asked for JSON: the failure is JSON on stdout too, where the answer would have been.
    if (args.includes('--json')) io.stdout.write(`${JSON.stringify(failureAsJson(error, code), null, 2)}\n`);
    return code;
  }
}
