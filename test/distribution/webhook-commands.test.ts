/**
 * The commands the loadtester runs for our webhooks: `bash -c` for conformance tests, `sh -c` for
 * load tests. Every value a service team writes that reaches them (check names, bodies, paths,
 * A/B header values) arrives as exactly one argument, whatever characters the schema lets through:
 * proved by parsing (bash -n, sh -n), shellcheck, and running the commands with stand-in curl and hey
 * that record the arguments they were given.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abTesting, composeDistribution, header, PODINFO, type Canary, type CanaryWebhook, type ServiceInput } from '@canaryship/blocks';
import { loadtester } from '@canaryship/loadtester';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { input } from '../../packages/blocks/src/test-fixtures.js';
import { ENVIRONMENT_NAMES, renderedDistribution, ofKind, type Obj } from '../support/distribution.js';
import { tool } from '../support/tools.js';

let stubs: string;
let shellcheck: string;
beforeAll(async () => {
  stubs = mkdtempSync(join(tmpdir(), 'canaryship-stubs-'));
  // Stand-ins that record their arguments, NUL-separated, one line per call; curl fails on demand.
  for (const name of ['curl', 'hey']) {
    writeFileSync(join(stubs, name), `#!/bin/sh\nprintf '%s\\0' "${name}" "$@" >> "$RECORD"\nprintf '\\n' >> "$RECORD"\nexit "\${STUB_EXIT:-0}"\n`);
    chmodSync(join(stubs, name), 0o755);
  }
  shellcheck = await tool('shellcheck');
});
afterAll(() => rmSync(stubs, { recursive: true, force: true }));

interface Ran {
  readonly status: number | null;
  readonly stderr: string;
  /** The argument vectors of every stubbed call, in order. */
  readonly calls: string[][];
}

function runWithStubs(shell: 'bash' | 'sh', cmd: string, exit = 0): Ran {
  const record = join(mkdtempSync(join(tmpdir(), 'canaryship-record-')), 'calls');
  writeFileSync(record, '');
  const result = spawnSync(shell, ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: `${stubs}:/usr/bin:/bin`, RECORD: record, STUB_EXIT: String(exit) }, encoding: 'utf8' });
  const calls = readFileSync(record, 'utf8')
    .split('\0\n')
    .filter(Boolean)
    .map((line) => line.split('\0'));
  return { status: result.status, stderr: result.stderr, calls };
}

const shellOf = (webhook: CanaryWebhook | Obj): 'bash' | 'sh' => (webhook['metadata']?.type === 'bash' ? 'bash' : 'sh');

/**
 * Two of shellcheck's heuristics guess at what a hand-written literal meant and are excluded: SC2016
 * (`$` not expanded inside single quotes) and SC1003 (a `\` before a closing single quote). A value
 * reaching the program as a literal is the point here, and running the commands below proves it.
 */
const shellcheckFindings = (shell: 'bash' | 'sh', cmd: string): string => {
  const result = spawnSync(shellcheck, [`--shell=${shell}`, '--severity=style', '--exclude=SC2016,SC1003', '-'], { input: cmd, encoding: 'utf8' });
  return result.status === 0 ? '' : result.stdout;
};

describe.each(ENVIRONMENT_NAMES)('%s: the rendered webhook commands', (env) => {
  const webhooks = ofKind(renderedDistribution(env), 'Canary').flatMap((canary) =>
    ((canary.spec.analysis.webhooks ?? []) as Obj[]).map((webhook) => [`${canary.metadata.name}/${webhook.name}`, webhook] as const),
  );

  it.each(webhooks)('%s parses, passes shellcheck, and runs the tool it names', (_name, webhook) => {
    const cmd = String(webhook.metadata.cmd);
    const shell = shellOf(webhook);
    expect(spawnSync(shell, ['-n', '-c', cmd]).status).toBe(0);
    expect(shellcheckFindings(shell, cmd)).toBe('');
    const ran = runWithStubs(shell, cmd);
    expect(ran.status).toBe(0);
    expect(ran.calls.length).toBeGreaterThan(0);
    expect(ran.calls.every((call) => call[0] === (shell === 'bash' ? 'curl' : 'hey'))).toBe(true);
  });
});

describe('any value a service team may write reaches the shell as one argument', () => {
  const base: ServiceInput = input;
  // Any printable ASCII, what the schema allows in names and bodies; the shell's own characters weigh more.
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
  const hostile = fc.string({ unit: fc.oneof(fc.constantFrom(...printable), fc.constantFrom(...`'"\`$\\;|&<>(){}!*?~#`.split(''))), minLength: 1, maxLength: 40 });
  const pathArb = fc.string({ unit: fc.constantFrom(...'abcXYZ019/_.-'.split('')), maxLength: 20 }).map((p) => `/${p}`);
  const headerValue = fc.string({ unit: fc.constantFrom(...'aZ09_.=/-'.split('')), minLength: 1, maxLength: 20 });

  const canaryOf = (input: ServiceInput, value: string): Canary => {
    const { objects } = composeDistribution({ environment: 'istio', testRunner: loadtester, services: [{ input, strategy: abTesting({ iterations: 5, match: [header('x-canary', { exact: value })] }) }] });
    return objects.find((o) => o.object.kind === 'Canary')!.object as Canary;
  };

  it('conformance: names, bodies and paths, checked by running bash with a recording curl', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.array(fc.record({ name: hostile, body: fc.option(hostile, { nil: undefined }), path: pathArb }), { minLength: 1, maxLength: 3 }), headerValue, (checks, value) => {
        const conformance = checks.map((c) => (c.body === undefined ? { name: c.name, path: c.path } : { name: c.name, method: 'POST' as const, path: c.path, body: c.body }));
        const canary = canaryOf({ ...base, conformance }, value);
        const hook = canary.spec.analysis.webhooks.find((w) => w.name === 'conformance')!;
        const cmd = hook.metadata!['cmd']!;
        expect(spawnSync('bash', ['-n', '-c', cmd]).status).toBe(0);
        const ran = runWithStubs('bash', cmd);
        expect(ran.status).toBe(0);
        expect(ran.calls).toEqual(
          conformance.map((c) => [
            'curl', '--fail', '--silent', '--show-error', '--max-time', '10', '--output', '/dev/null',
            '-X', c.body === undefined ? 'GET' : 'POST',
            ...(c.body === undefined ? [] : ['-H', 'Content-Type: application/json', '--data-raw', c.body]),
            `http://api-canary.webapp:${PODINFO.httpPort}${c.path}`,
          ]),
        );
        // A failing check ends the script with its own name, and nothing after it runs.
        const failed = runWithStubs('bash', cmd, 22);
        expect(failed.status).toBe(1);
        expect(failed.stderr).toBe(`conformance check failed: ${conformance[0]!.name}\n`);
        expect(failed.calls).toHaveLength(1);
        if (checked++ < 15) expect(shellcheckFindings('bash', cmd)).toBe('');
      }),
      { numRuns: 60, seed: 8 },
    );
  });

  it('load tests: A/B header values, checked by running sh with a recording hey', () => {
    fc.assert(
      fc.property(headerValue, (value) => {
        const canary = canaryOf(base, value);
        for (const hook of canary.spec.analysis.webhooks.filter((w) => w.metadata?.['type'] === 'cmd')) {
          const ran = runWithStubs('sh', hook.metadata!['cmd']!);
          expect(ran.status).toBe(0);
          expect(ran.calls).toEqual([['hey', '-z', '60s', '-q', '5', '-c', '2', '-H', `x-canary: ${value}`, `http://api.webapp:${PODINFO.httpPort}/`]]);
        }
      }),
      { numRuns: 40, seed: 9 },
    );
  });
});
