/** `canaryship diff`: a local build against a published version. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CanaryshipError } from '@canaryship/blocks';
import { diffArtifact } from '@canaryship/release';
import { isSystemError } from '@canaryship/toolchain';
import { printJson, progressTo, UsageError, type Io } from '../command.js';
import { currentPackage } from '../sources/rendered.js';
import { REGISTRY_OPTIONS, registryTarget } from './registry-options.js';

/** A field's value on one line, cut to what a terminal line holds (--json gives it whole). */
const shown = (value: unknown): string => {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { ...REGISTRY_OPTIONS, version: { type: 'string' } } });
  const [dir] = positionals;
  if (!dir || positionals.length > 1 || !values.version) throw new UsageError('diff needs one environment package directory and --version');
  const { version } = values;
  const compared = async () => {
    const packageDir = await currentPackage(io.cwd, dir);
    return diffArtifact({ packageDir, version, layoutRoot: resolve(io.cwd, values.layout), ...registryTarget(values), onProgress: progressTo(io) });
  };
  const result = await compared().catch((error: unknown) => {
    // 1 says "they differ": any failure is 2, as diff(1) and kubectl diff keep them apart for CI.
    if (error instanceof CanaryshipError && error.exitCode === 1) throw new CanaryshipError(error.message, { code: error.code, exitCode: 2, cause: error, ...(error.hint !== undefined && { hint: error.hint }) });
    if (isSystemError(error)) throw new CanaryshipError(`cannot ${error.syscall} ${error.path ?? ''}: ${error.code}`, { code: 'system', exitCode: 2, cause: error });
    throw error;
  });
  if (values.json) printJson(io, result);
  else if (result.unchanged) io.stdout.write(`unchanged: ${result.reference}\n`);
  else {
    io.stdout.write(`${result.reference} → local: ${result.changes.length} change(s)\n`);
    for (const c of result.changes) {
      io.stdout.write(`  ${c.change.padEnd(7)} ${c.object ?? c.file}${c.object ? ` (${c.file})` : ''}\n`);
      for (const v of c.values ?? []) io.stdout.write(`          ${v.field}: ${shown(v.before)} → ${shown(v.after)}\n`);
    }
  }
  return result.unchanged ? 0 : 1;
}
