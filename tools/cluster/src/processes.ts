/**
 * Child processes of the local cluster: each logs to its own file, is stopped with the group, and
 * its log is printed when something fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CanaryshipError } from '@canaryship/blocks';

export interface Managed {
  readonly name: string;
  readonly log: string;
  readonly child: ChildProcess;
}

export class ProcessGroup {
  private readonly processes: Managed[] = [];
  constructor(private readonly logDir: string) {}

  start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Managed {
    const log = join(this.logDir, `${name}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    const child = spawn(command, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const managed = { name, log, child };
    this.processes.push(managed);
    return managed;
  }

  /** The file a running process logs to. */
  logOf(name: string): string | undefined {
    return this.processes.find((p) => p.name === name)?.log;
  }

  /** Fails fast if a process died, naming it and showing its log. */
  async assertRunning(): Promise<void> {
    for (const p of this.processes) {
      if (p.child.exitCode !== null) throw new CanaryshipError(`${p.name} exited with ${p.child.exitCode}:\n${await this.tail(p)}`, { code: 'cluster.process-exited' });
    }
  }

  async tail(p: Managed, lines = 40): Promise<string> {
    const text = await readFile(p.log, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }

  /** The last lines of every log, for a failure report. */
  async report(): Promise<string> {
    const parts: string[] = [];
    for (const p of this.processes) parts.push(`--- ${p.name} (${p.child.exitCode === null ? 'running' : `exit ${p.child.exitCode}`}) ${p.log}\n${await this.tail(p, 25)}`);
    return parts.join('\n');
  }

  async stop(name: string): Promise<void> {
    const index = this.processes.findIndex((p) => p.name === name);
    const [p] = index >= 0 ? this.processes.splice(index, 1) : [];
    if (p) await terminate(p.child);
  }

  async stopAll(): Promise<void> {
    const all = this.processes.splice(0).reverse();
    for (const p of all) await terminate(p.child);
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A wait that ran out of time: what was awaited, what was last seen of it, why the last check failed. */
export class WaitTimedOut extends CanaryshipError {
  override readonly name = 'WaitTimedOut';
  constructor(message: string) {
    super(message, { code: 'cluster.timeout' });
  }
}

/**
 * Polls `check` until it holds or the timeout passes; a check that throws counts as not yet. On
 * timeout, the message says what `lastSeen` describes, and the last check's error if it failed.
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, group?: ProcessGroup, lastSeen?: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    // Through a promise: a check that throws before it returns one counts as not yet, like one that rejects.
    if (await Promise.resolve().then(check).catch((error: unknown) => ((failure = error), false))) return;
    await group?.assertRunning();
    if (Date.now() > deadline) {
      const seen = lastSeen ? `; last seen: ${await Promise.resolve().then(lastSeen).catch((error: Error) => `(cannot tell: ${error.message})`)}` : '';
      const failed = failure === undefined ? '' : `; the last check failed: ${(failure as Error)?.message?.split('\n')[0] ?? String(failure)}`;
      throw new WaitTimedOut(`timed out after ${timeoutMs / 1000}s waiting for ${what}${seen}${failed}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function httpOk(url: string, init?: RequestInit): Promise<boolean> {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return response.ok;
}
