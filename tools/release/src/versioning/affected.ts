/** The environment distributions a change affects, by Nx's project graph, and rendering only those. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ENVIRONMENTS, type EnvironmentName } from '@canaryship/blocks';

const run = promisify(execFile);
const ENV_PACKAGE = /^@canaryship\/env-(.+)$/;

export const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' } as const;

export interface AffectedEnvironment {
  readonly environment: EnvironmentName;
  readonly package: string;
  readonly dist: string;
}

export async function affectedEnvironments(cwd: string, base: string, head?: string): Promise<AffectedEnvironment[]> {
  const args = ['nx', 'show', 'projects', '--affected', `--base=${base}`, ...(head ? [`--head=${head}`] : []), '--json'];
  const { stdout } = await run('npx', args, { cwd, env: { ...process.env, ...NX_ENV }, maxBuffer: 8 << 20 });
  const projects = JSON.parse(stdout.slice(stdout.indexOf('['))) as string[];
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
  const { stdout, stderr } = await run('npx', ['nx', 'run-many', '-t', ...targets, '-p', ...projects, '--outputStyle=static'], {
    cwd,
    env: { ...process.env, ...NX_ENV },
    maxBuffer: 64 << 20,
  });
  onOutput?.(stdout + stderr);
}
