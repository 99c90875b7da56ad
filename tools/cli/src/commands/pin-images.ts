/** `canaryship pin-images`: every image the distributions run, resolved to its digest, in images.lock.json. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { imageUses, LOCK_FILE, pinImages, unpinnedImages } from '@canaryship/release';
import { CanaryshipError } from '@canaryship/blocks';
import { printJson, progressTo, UsageError, type Io } from '../command.js';
import { currentPackage } from '../sources/rendered.js';
import { DEFAULT_TIMEOUT_SECONDS } from './defaults.js';
import { imageMirrors, registryTarget } from './registry-options.js';

const OPTIONS = {
  check: { type: 'boolean', default: false },
  'image-mirror': { type: 'string', multiple: true },
  timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_SECONDS) },
  json: { type: 'boolean', default: false },
} as const;

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
  const mirrors = imageMirrors(mirrorValues);
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
  const result = await pinImages({ root: io.cwd, packageDirs, everyEnvironment: positionals.length === 0, mirrors, requestTimeoutMs, onProgress: progressTo(io) });
  if (values.json) printJson(io, result);
  else {
    for (const image of result.images) io.stdout.write(`${image.status.padEnd(9)} ${image.image}@${image.digest}${image.previous ? ` (was ${image.previous})` : ''}\n`);
    for (const image of result.dropped) io.stdout.write(`dropped   ${image} (no distribution runs it)\n`);
    io.stdout.write(result.written ? `wrote ${result.lock}: render again (npm run build) so the distributions carry the digests\n` : `${result.lock} is up to date\n`);
  }
  return 0;
}
