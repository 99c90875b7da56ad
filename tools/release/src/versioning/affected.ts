/** The environment distributions a change affects, by Nx's project graph, and rendering only those. */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ENVIRONMENTS, type EnvironmentName } from '@canaryship/blocks';
import { run, ToolFailed } from '@canaryship/toolchain';
import { PublishError } from '../errors.js';
const ENV_PACKAGE = /^@canaryship\/env-(.+)$/;

/**
 * How every command of ours runs Nx. Plugins run in Nx's own process: isolating them (Nx's default)
 * starts a worker process per plugin on every call, about 0.3 s of each, to guard against
 * third-party plugins this workspace does not use (it infers projects from package.json only).
 */
export const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_ISOLATE_PLUGINS: 'false' } as const;

export interface AffectedEnvironment {
  readonly environment: EnvironmentName;
  readonly package: string;
  readonly dist: string;
}

/**
 * Nx's entry in the workspace's own node_modules (found as Node finds a package from `cwd`), run by
 * this Node rather than through npx, whose own start costs 0.4 s of every call.
 */
function nxEntry(cwd: string): string {
  try {
    return createRequire(join(resolve(cwd), 'package.json')).resolve('nx/bin/nx');
  } catch {
    throw new PublishError(`nx is not installed in ${resolve(cwd)} or a folder above it`, { code: 'nx.missing', exitCode: 2, hint: 'run `npm ci` in the repository first' });
  }
}

/**
 * What our own commands reported inside Nx's output (an `error: …` line and the lines indented under
 * it, as report() writes them): the reason a task failed, which Nx's closing summary does not hold.
 */
function reportsIn(output: string): string[] {
  const lines = output.split('\n');
  const picked: string[] = [];
  lines.forEach((line, i) => {
    if (!/^\s*error: /.test(line)) return;
    picked.push(line.trim());
    for (let next = i + 1; next < lines.length && /^\s{2,}\S/.test(lines[next] ?? ''); next += 1) picked.push(`  ${lines[next]!.trim()}`);
  });
  return picked.slice(0, 40);
}

/** Runs Nx from the workspace's own node_modules; its failure names what Nx was asked and, where our command said why, why. */
async function nx(cwd: string, what: string, args: readonly string[]): Promise<string> {
  const entry = nxEntry(cwd);
  try {
    return (await run(process.execPath, [entry, ...args], { cwd, env: { ...process.env, ...NX_ENV } })).stdout;
  } catch (error) {
    if (!(error instanceof ToolFailed)) throw error;
    const reports = reportsIn(error.output);
    if (reports.length > 0) throw new PublishError(`nx could not ${what}:\n  ${reports.join('\n  ')}`, { code: 'nx.failed' });
    const lines = error.output.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('NX ') && !/^at /.test(l));
    throw new PublishError(`nx could not ${what}: ${lines.slice(-3).join(' ') || `exit ${String(error.exit)}`}`, { code: 'nx.failed' });
  }
}

const REF = /^[A-Za-z0-9._\/~^@{}-]{1,200}$/;

export async function affectedEnvironments(cwd: string, base: string, head?: string): Promise<AffectedEnvironment[]> {
  for (const ref of [base, head]) {
    if (ref !== undefined && (!REF.test(ref) || ref.startsWith('-'))) throw new PublishError(`"${ref}" is not a git revision`, { code: 'usage', exitCode: 2 });
  }
  const args = ['show', 'projects', '--affected', `--base=${base}`, ...(head ? [`--head=${head}`] : []), '--json'];
  const stdout = await nx(cwd, `find the projects affected since ${base}${head ? ` up to ${head}` : ''}`, args);
  let projects: string[];
  try {
    projects = JSON.parse(stdout.slice(stdout.indexOf('['))) as string[];
  } catch {
    throw new PublishError(`nx printed no project list for base ${base}`, { code: 'nx.failed' });
  }
  return projects
    .flatMap((name) => {
      const environment = ENV_PACKAGE.exec(name)?.[1];
      return environment && (ENVIRONMENTS as readonly string[]).includes(environment)
        ? [{ environment: environment as EnvironmentName, package: name, dist: `environments/${environment}/dist` }]
        : [];
    })
    .sort((a, b) => a.environment.localeCompare(b.environment));
}

/** Runs Nx targets for the given projects (their dependencies first, cached). */
export async function runTargets(cwd: string, targets: readonly string[], projects: readonly string[], onOutput?: (text: string) => void): Promise<void> {
  if (projects.length === 0) return;
  const output = await nx(cwd, `run ${targets.join(', ')} for ${projects.join(', ')}`, ['run-many', '-t', ...targets, '-p', ...projects, '--outputStyle=static']);
  onOutput?.(output);
}
