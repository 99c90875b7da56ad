/** `canaryship release`: version, build, validate, publish, tag; with --check only the providers' contract. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { release } from '@canaryship/release';
import { printJson, progressTo, UsageError, type Io } from '../command.js';
import { bundleRenderer, SIGNATURE_OPTIONS, signatureOf } from './bundle.js';
import { imageMirrors, REGISTRY_OPTIONS, registryTarget } from './registry-options.js';

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { ...REGISTRY_OPTIONS, ...SIGNATURE_OPTIONS, check: { type: 'boolean', default: false }, 'image-mirror': { type: 'string', multiple: true } } });
  if (positionals.length > 0) throw new UsageError(`release takes no arguments, got ${positionals.join(' ')}`);
  const mirrors = values['image-mirror'] ?? [];
  const target = registryTarget(values);
  const verify = signatureOf(values, 'release');
  if (verify && !target.registry) throw new UsageError('--signed-by and --signed-by-key say what the provider bundle published beside each release requires: give --registry too');
  const result = await release({
    cwd: io.cwd,
    layoutRoot: resolve(io.cwd, values.layout),
    check: values.check,
    ...target,
    bundleOf: (packageDir) => bundleRenderer(io.cwd, packageDir, { insecure: target.registry?.insecure ?? false, verify }),
    ...(mirrors.length > 0 && { imageMirrors: imageMirrors(mirrors) }),
    onProgress: progressTo(io),
  });
  if (values.json) printJson(io, result);
  else {
    for (const a of result.published) io.stdout.write(`published ${a.reference}@${a.digest}${a.bundle ? `, its provider bundle ${a.bundle.reference}@${a.bundle.digest}` : ''}\n`);
    if (values.check) io.stdout.write('no pending release breaks what providers rely on\n');
    else io.stdout.write(result.tags.length ? `tagged ${result.tags.join(', ')}\n` : 'nothing to release\n');
  }
  return 0;
}
