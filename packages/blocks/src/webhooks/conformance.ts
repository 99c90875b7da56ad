/**
 * The conformance test: a blocking `pre-rollout` webhook. The loadtester runs it with `type: bash`,
 * which answers 200 or 500, so a failing request stops the release before any traffic moves
 * (a `cmd` task answers 202 at once and could never fail).
 */
import type { CanaryWebhook } from '../flagger/api.js';
import type { ServiceSpec } from '../service/input.js';
import { serviceUrl } from '../workload/service-objects.js';
import { chainScript } from './chain.js';
import { CHECK_TIMEOUT_SECONDS, curl } from './curl.js';
import { command } from './shell.js';
import type { TestRunner } from './test-runner.js';

type Check = ServiceSpec['conformance'][number];

const checkLine = (check: Check, url: string): string =>
  [
    curl({ method: check.method, url, ...(check.body !== undefined && { body: check.body }) }),
    // printf, not echo: it prints the name as written, backslashes included, in any shell.
    `|| { ${command('printf', '%s\\n', `conformance check failed: ${check.name}`)} >&2; exit 1; }`,
  ].join(' ');

/** The name the chain check reports under. */
export const chainCheckName = (service: string): string => `${service} answers through its chain`;

/**
 * The team's checks, then the chain check (chain.ts): one script; the first failure ends it with the
 * check's name. `answers` is how many ends the service's calls reach.
 */
export function conformanceWebhook(spec: ServiceSpec, namespace: string, runner: TestRunner, answers: number): CanaryWebhook {
  const canaryHost = `${spec.name}-canary`;
  const script = spec.conformance.map((check) => checkLine(check, serviceUrl(canaryHost, namespace, check.path))).join('\n');
  return {
    name: 'conformance',
    type: 'pre-rollout',
    url: runner.url,
    // Every check may take its full time, and the chain check may ask the primary too.
    timeout: `${(spec.conformance.length + 2) * (CHECK_TIMEOUT_SECONDS + 5)}s`,
    metadata: { type: 'bash', cmd: `set -o errexit\n${script}\n${chainScript(spec.name, namespace, answers, chainCheckName(spec.name))}`, logCmdOutput: 'true' },
  };
}

/**
 * The chain check again at every analysis: a `rollout` webhook of type bash fails the interval's
 * check when it fails, so a canary that breaks its calls while traffic flows is rolled back, in every
 * environment, whether or not a mesh measures outbound calls.
 */
export function chainWebhook(spec: ServiceSpec, namespace: string, runner: TestRunner, answers: number): CanaryWebhook {
  return {
    name: 'chain',
    type: 'rollout',
    url: runner.url,
    timeout: `${2 * (CHECK_TIMEOUT_SECONDS + 5)}s`,
    metadata: { type: 'bash', cmd: chainScript(spec.name, namespace, answers, chainCheckName(spec.name)), logCmdOutput: 'true' },
  };
}
