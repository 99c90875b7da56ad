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
import { abTesting, chainScript, composeDistribution, header, PODINFO, type Canary, type CanaryWebhook, type ServiceInput } from '@canaryship/blocks';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { input } from '../../packages/blocks/src/test-fixtures.js';
import { definitionOf, ENVIRONMENT_NAMES, renderedDistribution, ofKind, type Obj } from '../support/distribution.js';
import { tool } from '../support/tools.js';

let stubs: string;
let shellcheck: string;
beforeAll(async () => {
  stubs = mkdtempSync(join(tmpdir(), 'canaryship-stubs-'));
  // Stand-ins that record their arguments, NUL-separated, one line per call; curl fails on demand,
  // and answers what the test gives it: for a primary's URL, and for any other.
  for (const name of ['curl', 'hey']) {
    const answer = name === 'curl' ? 'case "$*" in *-primary.*) printf %s "${PRIMARY_ANSWER:-}" ;; *) printf %s "${ANSWER:-}" ;; esac\n' : '';
    writeFileSync(join(stubs, name), `#!/bin/sh\nprintf '%s\\0' "${name}" "$@" >> "$RECORD"\nprintf '\\n' >> "$RECORD"\n${answer}exit "\${STUB_EXIT:-0}"\n`);
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

function runWithStubs(shell: 'bash' | 'sh', cmd: string, exit = 0, answers: { canary?: string; primary?: string } = {}): Ran {
  const record = join(mkdtempSync(join(tmpdir(), 'canaryship-record-')), 'calls');
  writeFileSync(record, '');
  const env = { PATH: `${stubs}:/usr/bin:/bin`, RECORD: record, STUB_EXIT: String(exit), ANSWER: answers.canary ?? '', PRIMARY_ANSWER: answers.primary ?? '' };
  const result = spawnSync(shell, ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'], env, encoding: 'utf8' });
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

describe('the chain check reads the answer, and judges the canary against its primary', () => {
  const script = chainScript('backend', 'webapp', 2, 'backend answers through its chain');
  // podinfo nests each downstream's answer as a JSON string: the marker survives, quotes do not.
  const full = JSON.stringify([JSON.stringify({ canaryship: 'canaryship-chain-backend' }), JSON.stringify({ canaryship: 'canaryship-chain-backend' })]);
  const broken = JSON.stringify([JSON.stringify({ canaryship: 'canaryship-chain-backend' }), 'backend http://database.webapp:9898/echo response status code 500']);

  it('passes at once when every end of the chain answers', () => {
    const ran = runWithStubs('bash', script, 0, { canary: full });
    expect([ran.status, ran.calls.map((c) => c.at(-1))]).toEqual([0, ['http://backend-canary.webapp:9898/echo']]);
  });

  it("fails, showing the canary's answer, when its chain is broken and the primary's is not", () => {
    const ran = runWithStubs('bash', script, 0, { canary: broken, primary: full });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toBe(`conformance check failed: backend answers through its chain: ${broken}\n`);
  });

  it('does not blame the release when the primary fails the same way', () => {
    const ran = runWithStubs('bash', script, 0, { canary: broken, primary: broken });
    expect(ran.status).toBe(0);
    expect(ran.stderr).toContain("the primary's chain fails too, so a dependency is broken, not this release");
    expect(ran.calls.map((c) => c.at(-1))).toEqual(['http://backend-canary.webapp:9898/echo', 'http://backend-primary.webapp:9898/echo']);
  });

  it('fails when the canary does not answer at all', () => {
    expect(runWithStubs('bash', script, 7, { primary: full }).status).toBe(1);
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
    const { objects } = composeDistribution(definitionOf('istio', [{ input, strategy: abTesting({ iterations: 5, match: [header('x-canary', { exact: value })] }) }]));
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
        // The team's checks, then the chain check: the canary's echo, and (the stand-in answering
        // nothing) the primary's, which fails too, so a dependency is taken to be broken: exit 0.
        const chain = (host: string) => ['curl', '--fail', '--silent', '--show-error', '--max-time', '10', '-X', 'POST', '-H', 'Content-Type: application/json', '--data-raw', '{"canaryship":"canaryship-chain-api"}', `http://${host}.webapp:${PODINFO.httpPort}/echo`];
        expect(ran.calls).toEqual([
          ...conformance.map((c) => [
            'curl', '--fail', '--silent', '--show-error', '--max-time', '10', '--output', '/dev/null',
            '-X', c.body === undefined ? 'GET' : 'POST',
            ...(c.body === undefined ? [] : ['-H', 'Content-Type: application/json', '--data-raw', c.body]),
            `http://api-canary.webapp:${PODINFO.httpPort}${c.path}`,
          ]),
          chain('api-canary'),
          chain('api-primary'),
        ]);
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
          expect(ran.calls).toEqual([['hey', '-z', '60s', '-q', '5', '-c', '2', '-m', 'POST', '-T', 'application/json', '-d', '{"canaryship":"load"}', '-H', `x-canary: ${value}`, `http://api.webapp:${PODINFO.httpPort}/echo`]]);
        }
      }),
      { numRuns: 40, seed: 9 },
    );
  });
});
