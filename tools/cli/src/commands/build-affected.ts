/** `canaryship build-affected`: render only the distributions a change affects. */
import { parseArgs } from 'node:util';
import { affectedEnvironments, runTargets } from '@canaryship/release';
import { printJson, progressTo, type Io } from '../command.js';

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { base: { type: 'string', default: 'main' }, head: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const environments = await affectedEnvironments(io.cwd, values.base, values.head);
  if (!values.json) progressTo(io)(`affected: ${environments.map((e) => e.environment).join(', ') || 'none'}`);
  await runTargets(io.cwd, ['build'], environments.map((e) => e.package));
  if (values.json) printJson(io, { base: values.base, environments });
  else for (const e of environments) io.stdout.write(`rendered ${e.environment} (${e.package}) in ${e.dist}\n`);
  return 0;
}
