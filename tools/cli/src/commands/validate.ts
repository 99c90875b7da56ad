/**
 * `canaryship validate [DIR...]`: checks rendered distributions layer by layer (schema, references,
 * policy, kustomize, SLO queries). Errors fail; warnings are reported. With `--overlay`, each DIR
 * is a provider's kustomize overlay over a distribution: what it builds, and its patches.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { withDistributionLock } from '@canaryship/toolchain';
import { checkOverlay, defaultSchemaRegistry, formatFinding, LAYERS, loadDistribution, validateDistributions, type Finding, type Layer } from '@canaryship/validate';
import { printJson, progressTo, UsageError, type Io } from '../command.js';
import { distributionDir } from '../dirs.js';
import { requireCurrent } from '../sources/rendered.js';
import { keepResult, keptResult, resultKey } from '../sources/validated.js';

export interface ValidateCommandOptions {
  readonly cwd: string;
  /** Distribution directories (each with a kustomization.yaml). */
  readonly dirs: readonly string[];
  readonly layers?: readonly string[];
  /** Reuse the findings of a distribution unchanged since this build validated it (default: yes). */
  readonly cache?: boolean;
  readonly onProgress?: (message: string) => void;
  /** With overlays: the release a subscription's patches apply to (as `flux pull artifact` leaves it). */
  readonly release?: string;
}

export interface ValidateResult {
  /** `unchanged`: the same files, layers and build as a run whose findings are reused. */
  readonly distributions: readonly { name: string; dir: string; errors: number; warnings: number; unchanged: boolean }[];
  readonly findings: readonly Finding[];
  readonly ok: boolean;
}

export function parseLayers(names: readonly string[] | undefined): Layer[] | undefined {
  if (!names || names.length === 0) return undefined;
  const unknown = names.filter((n) => !(LAYERS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new UsageError(`unknown layer ${unknown.join(', ')}; layers: ${LAYERS.join(', ')}`);
  return names as Layer[];
}

export async function validate(options: ValidateCommandOptions): Promise<ValidateResult> {
  if (options.dirs.length === 0) throw new UsageError('validate needs at least one distribution directory');
  const layers = parseLayers(options.layers);
  // A stale one fails before anything is checked (each check takes the lock a render takes, then lets go).
  for (const dir of options.dirs) await requireCurrent(resolve(options.cwd, dir), options.cwd);
  return withDistributionLock(
    options.dirs.map((dir) => resolve(options.cwd, dir)),
    () => validateLocked(options, layers),
  );
}

/** `validate` while no render can replace the distributions. */
async function validateLocked(options: ValidateCommandOptions, layers: Layer[] | undefined): Promise<ValidateResult> {
  const dirs = options.dirs.map((dir) => ({ dir, path: resolve(options.cwd, dir) }));
  const keys = await Promise.all(dirs.map(({ path }) => (options.cache === false ? undefined : resultKey(path, layers ?? LAYERS))));
  const kept = keys.map((key) => (key === undefined ? undefined : keptResult(key)));
  const fresh = dirs.filter((_, i) => kept[i] === undefined);
  for (const [i, { dir }] of dirs.entries()) if (kept[i]) options.onProgress?.(`${kept[i].name} (${dir}): unchanged since this build validated it; its findings stand`);
  // Every distribution is read before any layer runs: an unreadable one fails fast, with nothing checked.
  const loaded = await Promise.all(fresh.map(async ({ path }) => loadDistribution(path)));
  const schemas = loaded.length > 0 && (!layers || layers.includes('schema')) ? await defaultSchemaRegistry() : undefined;
  const found = await validateDistributions(loaded, { ...(layers && { layers }), ...(schemas && { schemas }), ...(options.onProgress && { onProgress: options.onProgress }) });
  const results = dirs.map(({ path }, i) => {
    const stored = kept[i];
    if (stored) return { ...stored, unchanged: true };
    const index = fresh.findIndex((f) => f.path === path);
    const result = { name: loaded[index]!.name, findings: found[index] ?? [] };
    const key = keys[i];
    if (key !== undefined) keepResult(key, result);
    return { ...result, unchanged: false };
  });
  const distributions = results.map(({ name, findings, unchanged }, i) => ({
    name,
    dir: dirs[i]!.dir,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    unchanged,
  }));
  const findings = results.flatMap((r) => r.findings);
  return { distributions, findings, ok: findings.every((f) => f.severity !== 'error') };
}

/**
 * Providers' overlays: each built by kustomize (the build is the kustomize layer), its patches
 * that change nothing reported, and the result through the other layers. Nothing is cached: an
 * overlay names files anywhere, which the cache's key does not cover.
 */
export async function validateOverlays(options: ValidateCommandOptions): Promise<ValidateResult> {
  if (options.dirs.length === 0) throw new UsageError('validate --overlay needs at least one overlay directory');
  const layers = (parseLayers(options.layers) ?? LAYERS).filter((layer) => layer !== 'kustomize');
  const release = options.release !== undefined ? resolve(options.cwd, options.release) : undefined;
  const checked = await Promise.all(options.dirs.map((dir) => checkOverlay(resolve(options.cwd, dir), { ...(release !== undefined && { release }) })));
  const schemas = layers.includes('schema') ? await defaultSchemaRegistry() : undefined;
  const found = await validateDistributions(checked.map((c) => c.distribution), { layers, ...(schemas && { schemas }), ...(options.onProgress && { onProgress: options.onProgress }) });
  const perOverlay = checked.map((c, i) => [...c.findings, ...(found[i] ?? [])]);
  const distributions = checked.map((c, i) => ({
    name: c.distribution.name,
    dir: options.dirs[i]!,
    errors: perOverlay[i]!.filter((f) => f.severity === 'error').length,
    warnings: perOverlay[i]!.filter((f) => f.severity === 'warning').length,
    unchanged: false,
  }));
  const findings = perOverlay.flat();
  return { distributions, findings, ok: findings.every((f) => f.severity !== 'error') };
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { layer: { type: 'string', multiple: true }, cache: { type: 'boolean', default: true }, overlay: { type: 'boolean', default: false }, release: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowNegative: true,
  });
  if (values.release !== undefined && !values.overlay) throw new UsageError('--release says what a subscription overlay\'s patches apply to: it goes with --overlay');
  const check = values.overlay ? validateOverlays : validate;
  const result = await check({
    cwd: io.cwd,
    dirs: values.overlay ? positionals : positionals.map((dir) => distributionDir(io.cwd, dir)),
    ...(values.layer && { layers: values.layer }),
    cache: values.cache,
    ...(values.release !== undefined && { release: values.release }),
    ...(!values.json && { onProgress: (message: string) => progressTo(io)(`validating ${message}`) }),
  });
  if (values.json) printJson(io, result);
  else {
    for (const finding of result.findings) io.stdout.write(`${formatFinding(finding)}\n`);
    for (const d of result.distributions) io.stdout.write(`${d.name}: ${d.errors} error(s), ${d.warnings} warning(s)${d.unchanged ? ' (unchanged since validated)' : ''}\n`);
  }
  return result.ok ? 0 : 1;
}
