/**
 * The conformance test: a blocking `pre-rollout` webhook. The loadtester runs it with `type: bash`,
 * which answers 200 or 500, so a failing request stops the release before any traffic moves
 * (a `cmd` task answers 202 at once and could never fail).
 */
import type { CanaryWebhook } from '../flagger/api.js';
import type { ServiceSpec } from '../service/input.js';
import { serviceUrl } from '../workload/service-objects.js';
import { command } from './shell.js';
import type { TestRunner } from './test-runner.js';

type Check = ServiceSpec['conformance'][number];

/** Seconds one check may take; the webhook's timeout allows every check its full time. */
export const CHECK_TIMEOUT_SECONDS = 10;

const curl = (check: Check, url: string): string =>
  [
    command(
      'curl', '--fail', '--silent', '--show-error', '--max-time', String(CHECK_TIMEOUT_SECONDS), '--output', '/dev/null',
      '-X', check.method,
      ...(check.body !== undefined ? ['-H', 'Content-Type: application/json', '--data-raw', check.body] : []),
      url,
    ),
    // printf, not echo: it prints the name as written, backslashes included, in any shell.
    `|| { ${command('printf', '%s\\n', `conformance check failed: ${check.name}`)} >&2; exit 1; }`,
  ].join(' ');

/** Commands are joined into one script; the first failure ends it with the check's name. */
export function conformanceWebhook(spec: ServiceSpec, namespace: string, runner: TestRunner): CanaryWebhook {
  const canaryHost = `${spec.name}-canary`;
  const script = spec.conformance.map((check) => curl(check, serviceUrl(canaryHost, namespace, check.path))).join('\n');
  return {
    name: 'conformance',
    type: 'pre-rollout',
    url: runner.url,
    timeout: `${Math.max(30, spec.conformance.length * (CHECK_TIMEOUT_SECONDS + 5))}s`,
    metadata: { type: 'bash', cmd: `set -o errexit\n${script}`, logCmdOutput: 'true' },
  };
}
