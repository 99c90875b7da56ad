/**
 * The conformance test: a blocking `pre-rollout` webhook. The loadtester runs it with `type: bash`,
 * which answers 200 or 500, so a failing request stops the release before any traffic moves
 * (a `cmd` task answers 202 at once and could never fail).
 */
import type { CanaryWebhook } from '../flagger/api.js';
import type { ServiceSpec } from '../service/input.js';
import { serviceUrl } from '../workload/service-objects.js';
import type { TestRunner } from './test-runner.js';

type Check = ServiceSpec['conformance'][number];

const curl = (check: Check, url: string): string =>
  [
    'curl --fail --silent --show-error --max-time 10 --output /dev/null',
    `-X ${check.method}`,
    check.body !== undefined ? `-H 'Content-Type: application/json' --data '${check.body}'` : '',
    url,
    `|| { echo 'conformance check failed: ${check.name}' >&2; exit 1; }`,
  ]
    .filter(Boolean)
    .join(' ');

/** Commands are joined into one script; the first failure ends it with the check's name. */
export function conformanceWebhook(spec: ServiceSpec, namespace: string, runner: TestRunner): CanaryWebhook {
  const canaryHost = `${spec.name}-canary`;
  const script = spec.conformance.map((check) => curl(check, serviceUrl(canaryHost, namespace, check.path))).join('\n');
  return {
    name: 'conformance',
    type: 'pre-rollout',
    url: runner.url,
    timeout: `${Math.max(30, spec.conformance.length * 15)}s`,
    metadata: { type: 'bash', cmd: `set -o errexit\n${script}`, logCmdOutput: 'true' },
  };
}
