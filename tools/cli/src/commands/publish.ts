/** `canaryship publish`: environment distributions → OCI artifacts in Flux's format. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { publish, type PublishResult } from '@canaryship/release';
import { printJson, progressTo, UsageError, type Io } from '../command.js';
import { currentPackage } from '../sources/rendered.js';
import { bundleRenderer, SIGNATURE_OPTIONS, signatureOf } from './bundle.js';
import { REGISTRY_OPTIONS, registryTarget } from './registry-options.js';

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { ...REGISTRY_OPTIONS, bundle: { type: 'boolean', default: false }, ...SIGNATURE_OPTIONS } });
  if (positionals.length === 0) throw new UsageError('publish needs at least one environment package directory');
  const target = registryTarget(values);
  const verify = signatureOf(values, 'publish');
  if (values.bundle && !target.registry) throw new UsageError('--bundle needs --registry: the bundle names the registry providers pull the releases from');
  if (verify && !values.bundle) throw new UsageError('--signed-by and --signed-by-key say what the provider bundle requires: give --bundle too');
  const artifacts: PublishResult[] = [];
  // Every distribution is checked before the first upload: a stale one publishes nothing.
  const packageDirs: string[] = [];
  for (const dir of positionals) packageDirs.push(await currentPackage(io.cwd, dir));
  for (const dir of packageDirs) {
    const bundle = values.bundle ? { bundle: bundleRenderer(io.cwd, dir, { insecure: target.registry?.insecure ?? false, verify }) } : {};
    artifacts.push(await publish({ packageDir: dir, layoutRoot: resolve(io.cwd, values.layout), ...target, ...bundle, onProgress: progressTo(io) }));
  }
  if (values.json) printJson(io, { artifacts });
  else {
    for (const a of [...artifacts, ...artifacts.flatMap((a) => (a.bundle ? [a.bundle] : []))]) io.stdout.write(`${a.reference}@${a.digest} ${a.registry?.status ?? a.layout.status}${a.registry?.latest ? ' (latest)' : ''}\n`);
  }
  return 0;
}
