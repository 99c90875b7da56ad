/** `canaryship pin-images`: every image the distributions run, resolved to its digest, in images.lock.json. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { imageUses, LOCK_FILE, parseRegistryAddress, pinImages, unpinnedImages, type RegistryAddress } from '@canaryship/release';
import { CanaryshipError } from '@canaryship/blocks';
import { printJson, progressTo, UsageError, type Io } from '../command.js';
import { currentPackage } from '../sources/rendered.js';
import { DEFAULT_TIMEOUT_SECONDS } from './defaults.js';
import { registryTarget } from './registry-options.js';

const OPTIONS = {
  check: { type: 'boolean', default: false },
  'image-mirror': { type: 'string', multiple: true },
  insecure: { type: 'boolean', default: false },
  timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_SECONDS) },
  json: { type: 'boolean', default: false },
} as const;

/** `REGISTRY=HOST[:PORT][/PREFIX]`: where to ask for REGISTRY's images instead. */
function mirrorsOf(values: readonly string[], insecure: boolean): Map<string, RegistryAddress> {
  const mirrors = new Map<string, RegistryAddress>();
  for (const value of values) {
    const [registry = '', mirror, ...rest] = value.split('=');
    if (!/^[a-z0-9.-]+(:\d{1,5})?$/.test(registry) || mirror === undefined || rest.length > 0) {
      // A value that could carry credentials is not repeated (as --registry's are not).
      const shown = /[@?#]/.test(value) ? 'the value given (not repeated: it could carry credentials)' : `"${value.slice(0, 200)}"`;
      throw new UsageError(`--image-mirror takes REGISTRY=HOST[:PORT][/PREFIX] (e.g. ghcr.io=127.0.0.1:5000), not ${shown}`);
    }
    mirrors.set(registry === 'index.docker.io' ? 'docker.io' : registry, parseRegistryAddress(mirror, { insecure, flag: '--image-mirror' }));
  }
  return mirrors;
}

/** The environment packages of the repository at `cwd`: every folder of environments/ with a package.json. */
async function environmentPackages(cwd: string): Promise<string[]> {
  const entries = await readdir(join(cwd, 'environments'), { withFileTypes: true }).catch(() => {
    throw new UsageError(`${cwd} has no environments/ folder: run pin-images from the repository's root, or name the environment packages`);
  });
  return entries.filter((e) => e.isDirectory()).map((e) => join('environments', e.name)).sort();
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: OPTIONS });
  const mirrorValues = values['image-mirror'] ?? [];
  if (values.check && mirrorValues.length > 0) throw new UsageError('--check reads the rendered distributions only: it takes no --image-mirror');
  if (values.insecure && mirrorValues.length === 0) throw new UsageError('--insecure only applies to an --image-mirror on loopback');
  const mirrors = mirrorsOf(mirrorValues, values.insecure);
  const { requestTimeoutMs } = registryTarget({ timeout: values.timeout });
  const packageDirs: string[] = [];
  for (const dir of positionals.length > 0 ? positionals : await environmentPackages(io.cwd)) packageDirs.push(await currentPackage(io.cwd, dir));

  if (values.check) {
    const unpinned = unpinnedImages(await imageUses(packageDirs));
    if (unpinned.length > 0) {
      throw new CanaryshipError(`${unpinned.length} image${unpinned.length === 1 ? '' : 's'} not pinned to a digest:\n  ${unpinned.join('\n  ')}`, {
        code: 'images.unpinned',
        hint: `run canaryship pin-images (it writes ${LOCK_FILE}), then render again (npm run build)`,
      });
    }
    if (values.json) printJson(io, { unpinned });
    else io.stdout.write('every image is pinned to a digest\n');
    return 0;
  }
  const result = await pinImages({ root: io.cwd, packageDirs, mirrors, requestTimeoutMs, onProgress: progressTo(io) });
  if (values.json) printJson(io, result);
  else {
    for (const image of result.images) io.stdout.write(`${image.status.padEnd(9)} ${image.image}@${image.digest}${image.previous ? ` (was ${image.previous})` : ''}\n`);
    for (const image of result.dropped) io.stdout.write(`dropped   ${image} (no distribution runs it)\n`);
    io.stdout.write(result.written ? `wrote ${result.lock}: render again (npm run build) so the distributions carry the digests\n` : `${result.lock} is up to date\n`);
  }
  return 0;
}
