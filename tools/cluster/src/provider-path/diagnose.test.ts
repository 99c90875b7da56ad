/**
 * `diagnose` prints into CI logs: it reads events of the namespaces a release involves and no
 * other, and redacts what looks like a secret while leaving the rest readable.
 */
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../kube/cluster.js';
import { diagnose, diagnosedNamespaces, redact } from './diagnose.js';

/** A cluster whose kubectl answers `answer(args)` and records every call. */
const fakeCluster = (answer: (args: readonly string[]) => string) => {
  const calls: string[][] = [];
  const cluster = {
    kubectl: async (...args: string[]) => {
      calls.push(args);
      return { stdout: answer(args), stderr: '' };
    },
  } as unknown as Cluster;
  return { cluster, calls };
};

describe('diagnose', () => {
  it.each([
    ['kubernetes', ['webapp', 'flux-system', 'flagger-system']],
    ['istio', ['webapp', 'flux-system', 'istio-system']],
    ['linkerd', ['webapp', 'flux-system', 'flagger-system', 'linkerd-viz', 'linkerd']],
  ] as const)('%s: reads events of the app, Flux, Flagger and the mesh, never of every namespace', async (environment, namespaces) => {
    expect(diagnosedNamespaces(environment, 'webapp')).toEqual(namespaces);
    const { cluster, calls } = fakeCluster(() => '');
    await diagnose(cluster, environment, 'webapp');
    const events = calls.filter((args) => args[1] === 'events');
    expect(events.map((args) => args[args.indexOf('-n') + 1])).toEqual(namespaces);
    expect(calls.flat()).not.toContain('-A');
    expect(calls.flat()).not.toContain('--all-namespaces');
  });

  it.each([
    ['a URL with credentials', 'pull https://ci:hunter2hunter2@registry.example/v2/', 'pull https://[redacted]@registry.example/v2/'],
    ['an Authorization header', 'authorization: Bearer abcdefghijklmnop', 'authorization: Bearer [redacted]'],
    ['a JSON Web Token', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl seen', 'token [redacted] seen'],
    ['a password field', 'db_password=s3cr3t-value other=kept', 'db_password=[redacted] other=kept'],
    ['a token in JSON', '{"access_token": "abc.def", "name": "kept"}', '{"access_token": "[redacted]", "name": "kept"}'],
    ['a Slack webhook', 'alert sent to https://hooks.slack.com/services/T000/B000/XXXXXXXX', 'alert sent to https://hooks.slack.com/[redacted]'],
    ['a Discord webhook', 'https://discord.com/api/webhooks/123/abc-def', 'https://discord.com/api/webhooks/[redacted]'],
  ])('redacts %s', (_what, text, expected) => expect(redact(text)).toBe(expected));

  it('leaves what is not a secret as it is: a Canary, an event, a URL without credentials', () => {
    for (const text of ['backend   Progressing   50   2026-01-01T00:00:00Z', 'Warning  Synced  canary/backend  Halt advancement no values found for istio metric request-success-rate', 'http://flagger-loadtester.webapp/ answered 200', 'tokens_total 3']) {
      expect(redact(text)).toBe(text);
    }
  });

  it('redacts every section it prints, and keeps the header above the last events', async () => {
    const events = ['LAST SEEN   TYPE   REASON   OBJECT   MESSAGE', ...Array.from({ length: 80 }, (_, i) => `${i}s   Normal   Synced   canary/backend   event ${i}`)].join('\n');
    const { cluster } = fakeCluster((args) => (args[1] === 'events' ? events : args[0] === 'logs' ? 'flagger: posting to https://hooks.slack.com/services/T/B/secret' : 'ok'));
    const report = await diagnose(cluster, 'istio', 'webapp');
    expect(report).not.toContain('services/T/B/secret');
    const section = report.split('== Events in webapp\n')[1]!.split('\n\n')[0]!.split('\n');
    expect(section[0]).toBe('LAST SEEN   TYPE   REASON   OBJECT   MESSAGE');
    expect(section.slice(1)).toHaveLength(50);
    expect(section.at(-1)).toContain('event 79');
  });
});
