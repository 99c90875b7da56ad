/**
 * The load test: `rollout` webhooks that run `hey` on the loadtester during every analysis interval,
 * so the SLO queries always have traffic to measure. These are `cmd` tasks: asynchronous by design,
 * they generate traffic and never gate anything.
 *
 * The load is an echo through the service's whole chain (POST /echo), not its front page: every
 * request exercises the calls the release makes, so the canary's outbound calls are measured too.
 * The same command also runs as a `pre-rollout` warm-up, after the conformance test passed: Flagger
 * calls rollout hooks and queries the metrics in the same tick, so without traffic already flowing
 * the first analysis finds "no values" and counts a failed check against every release.
 * (The loadtester runs one copy of an identical command at a time.)
 */
import type { CanaryWebhook } from '../flagger/api.js';
import { PODINFO } from '../podinfo.js';
import type { ServiceSpec } from '../service/input.js';
import type { Strategy } from '../strategy/strategies.js';
import { serviceUrl } from '../workload/service-objects.js';
import { command } from './shell.js';
import type { TestRunner } from './test-runner.js';

/** What the load posts: a word that tells load from checks in any log. */
export const LOAD_BODY: string = JSON.stringify({ canaryship: 'load' });

interface LoadRoute {
  readonly name: string;
  /** `canary` hits the canary pods directly; `apex` goes through the mesh route (A/B, mirroring). */
  readonly host: 'canary' | 'apex';
  readonly header?: string;
}

function loadRoutes(strategy: Strategy): LoadRoute[] {
  switch (strategy.kind) {
    case 'ab-testing':
      // One stream per route, each carrying what that route matches, sent to the apex host so the mesh routes it.
      return strategy.match.map((match) =>
        match.on === 'cookie'
          ? { name: `load-test-cookie-${match.name}`, host: 'apex', header: `Cookie: ${match.name}=${match.value}` }
          : { name: `load-test-header-${match.name.toLowerCase()}`, host: 'apex', header: `${match.name}: ${match.exact ?? match.prefix}` },
      );
    case 'blue-green-mirroring':
      // Live-shaped traffic to the primary; the mesh copies it to the canary, whose series the analysis reads.
      return [{ name: 'load-test', host: 'apex' }];
    case 'blue-green':
    case 'progressive':
      return [{ name: 'load-test', host: 'canary' }];
  }
}

/**
 * hey's `-q` is a rate per worker and each stream is its own hey: the requested rate and workers are
 * shared out across the streams, so two A/B routes together send what the team asked for, not twice.
 */
export function streamRate(load: ServiceSpec['load'], streams: number): { workers: number; perWorker: number } {
  const workers = Math.max(1, Math.floor(load.concurrency / streams));
  return { workers, perWorker: Math.max(1, Math.round(load.requestsPerSecond / streams / workers)) };
}

export function loadTestWebhooks(spec: ServiceSpec, strategy: Strategy, namespace: string, runner: TestRunner, durationSeconds: number): CanaryWebhook[] {
  const routes = loadRoutes(strategy);
  const { workers, perWorker } = streamRate(spec.load, routes.length);
  return routes.flatMap((route) => {
    const host = route.host === 'canary' ? `${spec.name}-canary` : spec.name;
    const cmd = command(
      'hey', '-z', `${durationSeconds}s`, '-q', String(perWorker), '-c', String(workers),
      '-m', 'POST', '-T', 'application/json', '-d', LOAD_BODY,
      ...(route.header !== undefined ? ['-H', route.header] : []),
      serviceUrl(host, namespace, PODINFO.echoPath),
    );
    const metadata = { type: 'cmd', cmd };
    return [
      { name: route.name.replace(/^load-test/, 'load-warmup'), type: 'pre-rollout' as const, url: runner.url, timeout: '15s', metadata },
      { name: route.name, type: 'rollout' as const, url: runner.url, timeout: '15s', metadata },
    ];
  });
}
