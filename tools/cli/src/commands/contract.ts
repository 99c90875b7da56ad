/** `canaryship contract`: what a release would break for the providers of one environment. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { contract } from '@canaryship/release';
import { printJson, progressTo, UsageError, type Io } from '../command.js';
import { currentPackage } from '../sources/rendered.js';
import { REGISTRY_OPTIONS, registryTarget } from './registry-options.js';

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { ...REGISTRY_OPTIONS, against: { type: 'string' }, version: { type: 'string' } } });
  const [dir] = positionals;
  if (!dir || positionals.length > 1) throw new UsageError('contract needs one environment package directory');
  const result = await contract({
    packageDir: await currentPackage(io.cwd, dir),
    ...(values.version !== undefined && { version: values.version }),
    ...(values.against !== undefined && { against: values.against }),
    layoutRoot: resolve(io.cwd, values.layout),
    ...registryTarget(values),
    onProgress: progressTo(io),
  });
  if (values.json) printJson(io, result);
  else if (result.baseline === undefined) io.stdout.write(`nothing published before ${result.version}: no contract to keep yet\n`);
  else if (result.breaking.length === 0) io.stdout.write(`${result.version} keeps the contract of ${result.reference}\n`);
  else {
    io.stdout.write(`${result.version} breaks ${result.breaking.length} thing(s) providers of ${result.reference} rely on:\n`);
    for (const b of result.breaking) io.stdout.write(`  ${b.kind.padEnd(20)} ${b.object}: ${b.detail}\n  ${' '.repeat(20)} for ${b.affects}\n`);
    io.stdout.write(result.majorBump ? `${result.version} is a new major version: subscriptions to ${result.baseline} will not pick it up\n` : `this needs a major version: add a changeset with a major bump of the environment package\n`);
  }
  return result.refused ? 1 : 0;
}
