/** `canaryship setup`: provision the pinned programs and upstream modules a suite runs. */
import { parseArgs } from 'node:util';
import { provision, SUITES, type Suite } from '@canaryship/toolchain';
import { printJson, progressTo, UsageError, type Io } from '../command.js';

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const suites = positionals.length > 0 ? positionals : ['validate'];
  const unknown = suites.filter((s) => !(s in SUITES));
  if (unknown.length > 0) throw new UsageError(`unknown suite ${unknown.join(', ')}; suites: ${Object.keys(SUITES).join(', ')}`);
  const result = await provision(suites as Suite[], (line) => progressTo(io)(`setup: ${line}`));
  if (values.json) printJson(io, result);
  else io.stdout.write(`ready: ${suites.join(', ')} (${result.tools.length} program(s), ${result.modules.length} module(s))\n`);
  return 0;
}
