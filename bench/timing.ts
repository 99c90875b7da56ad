/** How the benchmarks time a whole command: once, under bash's `time`, wall and CPU from the same run. */
import { execFileSync } from 'node:child_process';

export interface Timing {
  readonly wall: number;
  /** user + system, the command's children included. */
  readonly cpu: number;
}

/** Words quoted for bash (the benchmarks' own paths and arguments, none holding a quote). */
export const quoted = (args: readonly string[]): string => args.map((a) => `'${a}'`).join(' ');

/** One run of `command` (a simple command: bash's `time` of a redirected subshell would time nothing it prints) in `cwd`; throws when it fails. */
export function timed(command: string, env: NodeJS.ProcessEnv, cwd: string): Timing {
  const output = execFileSync('bash', ['-c', `TIMEFORMAT='%3R %3U %3S'; { time ${command} >/dev/null 2>&1; } 2>&1`], { cwd, env, encoding: 'utf8' });
  const [wall = NaN, user = NaN, system = NaN] = (output.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { wall, cpu: user + system };
}
