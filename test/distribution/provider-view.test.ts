/**
 * What a provider would notice in the rendered distributions, pinned against the service packages'
 * own inputs: every SLO is a real bound at the team's value, load reaches the instance under test
 * with what its route matches, probes and scratch space are what the pods need.
 */
import type { ServiceInput } from '@canaryship/blocks';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, renderedDistribution, ofKind, serviceNamesOf, servicesOf, type Env, type Obj } from '../support/distribution.js';

/** The bound each check applies, from the team's input: which side, and the value. */
const expectedBounds = ({ slo }: ServiceInput): Record<string, Obj> => {
  return {
    success: { min: slo.availabilityPercent },
    error: { max: slo.errorRatePercent },
    average: { max: slo.averageResponseTimeMs },
    p99: { max: slo.p99ResponseTimeMs },
    // Points the canary's calls may fail more than the primary's: the availability budget.
    outbound: { min: Math.round((slo.availabilityPercent - 100) * 1000) / 1000 },
  };
};

/** Which SLO a metric checks, by the builtin or template it names. */
const sloOf = (metric: Obj): string =>
  ({ 'request-success-rate': 'success', 'success-rate': 'success', 'error-rate': 'error', 'average-response-time': 'average', 'request-duration': 'p99', 'p99-response-time': 'p99', 'outbound-success-rate': 'outbound' })[
    String(metric.templateRef?.name ?? metric.name)
  ] ?? 'unknown';

const hostOf = (cmd: string): string => /http:\/\/([a-z0-9.-]+):\d+/.exec(cmd)?.[1] ?? '';
const headersOf = (cmd: string): string[] => [...cmd.matchAll(/-H '([^']*)'/g)].map((m) => m[1] ?? '');

describe.each(ENVIRONMENT_NAMES)('%s, as a provider reads it', (env: Env) => {
  const objects = renderedDistribution(env);
  const canaries = ofKind(objects, 'Canary');
  const input = (name: string): ServiceInput => servicesOf(env).find((service) => service.name === name)!;

  it.each(serviceNamesOf(env))('%s checks its SLOs (its calls too, where the mesh measures them), each a bound at the team value', (name) => {
    const canary = canaries.find((c) => c.metadata.name === name)!;
    const metrics = canary.spec.analysis.metrics as Obj[];
    const calls = (input(name).config.calls ?? []).length > 0;
    expect(metrics.map(sloOf).sort()).toEqual(['average', 'error', ...(calls && env !== 'kubernetes' ? ['outbound'] : []), 'p99', 'success']);
    const bounds = expectedBounds(input(name));
    for (const metric of metrics) expect(metric.thresholdRange, `${name} ${metric.name}`).toEqual(bounds[sloOf(metric)]);
  });

  it.each(serviceNamesOf(env))('%s sends its load test where the strategy measures, with what its routes match', (name) => {
    const canary = canaries.find((c) => c.metadata.name === name)!;
    const analysis = canary.spec.analysis;
    const streams = (analysis.webhooks as Obj[]).filter((h) => h.type === 'rollout' && h.metadata.type === 'cmd').map((h) => String(h.metadata.cmd));
    const load = { requestsPerSecond: 10, concurrency: 2, ...input(name).load };
    // The streams together send the rate the team asked for, not a multiple of it, with no more workers than its concurrency (read from hey's flags).
    const rates = streams.map((cmd) => /-q (\d+) -c (\d+) -m POST -T application\/json -d '\{"canaryship":"load"\}'/.exec(cmd)).map((m) => ({ perWorker: Number(m?.[1]), workers: Number(m?.[2]) }));
    expect(new Set(rates.map((r) => `${r.perWorker}/${r.workers}`)).size).toBe(1);
    const [{ workers, perWorker }] = rates as [{ workers: number; perWorker: number }];
    expect(Math.abs(workers * perWorker * streams.length - load.requestsPerSecond) / load.requestsPerSecond).toBeLessThanOrEqual(0.25);
    expect(workers * streams.length).toBeLessThanOrEqual(Math.max(load.concurrency, streams.length));
    if (analysis.match) {
      // A/B: one stream per route, to the apex host (the mesh routes it), carrying exactly what that route matches.
      expect(analysis.match.length, `${name}: an A/B strategy with no route`).toBeGreaterThan(0);
      expect(streams).toHaveLength(analysis.match.length);
      const sent = streams.map(headersOf);
      for (const route of analysis.match as Obj[]) {
        const [header, condition] = Object.entries(route.headers as Obj)[0]!;
        const matching = sent.filter((headers) =>
          headers.some((h) => {
            const [key, ...rest] = h.split(': ');
            const value = rest.join(': ');
            return key?.toLowerCase() === header && (condition.exact !== undefined ? value === condition.exact : new RegExp(condition.regex).test(value));
          }),
        );
        expect(matching, `${name}: a stream matching ${header}`).toHaveLength(1);
      }
      for (const cmd of streams) expect(hostOf(cmd)).toBe(`${name}.webapp`);
    } else if (analysis.mirror) {
      // Mirroring: live-shaped traffic to the primary, copied to the canary by the mesh.
      expect(streams.map(hostOf)).toEqual([`${name}.webapp`]);
      expect(streams.flatMap(headersOf)).toEqual([]);
    } else {
      // Blue/green and progressive: straight to the canary pods, or the analysis measures nothing.
      expect(streams.map(hostOf)).toEqual([`${name}-canary.webapp`]);
      expect(streams.flatMap(headersOf)).toEqual([]);
    }
  });

  it('gives every container its probes and every scratch volume a size limit', () => {
    for (const deployment of ofKind(objects, 'Deployment')) {
      const pod = deployment.spec.template.spec;
      for (const container of pod.containers as Obj[]) {
        const named = new Set((container.ports as Obj[]).map((p) => p.name));
        for (const probe of [container.livenessProbe, container.readinessProbe]) {
          expect(probe.httpGet.path).toMatch(/^\/(healthz|readyz|entry\/ready)$/);
          expect(named).toContain(probe.httpGet.port);
        }
        if (serviceNamesOf(env).includes(deployment.metadata.name)) {
          expect([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path]).toEqual(['/healthz', '/readyz']);
        }
      }
      for (const volume of (pod.volumes as Obj[]).filter((v) => v.emptyDir)) expect(volume.emptyDir.sizeLimit).toBe('64Mi');
    }
  });

  it('sets replicas only where no HPA owns them: one loadtester, two entry proxies', () => {
    const autoscaled = new Set(ofKind(objects, 'HorizontalPodAutoscaler').map((hpa) => hpa.spec.scaleTargetRef.name));
    const fixed: Record<string, number> = {};
    for (const deployment of ofKind(objects, 'Deployment')) {
      if (autoscaled.has(deployment.metadata.name)) expect(deployment.spec).not.toHaveProperty('replicas');
      else fixed[deployment.metadata.name] = deployment.spec.replicas;
    }
    expect(fixed).toEqual({ entry: 2, 'flagger-loadtester': 1 });
    expect([...autoscaled].sort()).toEqual(serviceNamesOf(env));
  });
});
