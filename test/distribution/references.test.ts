/** Every reference a Canary makes resolves inside its own distribution. */
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, renderedDistribution, ofKind, type Obj } from '../support/distribution.js';

const BUILTIN_METRICS = ['request-success-rate', 'request-duration'];

describe.each(ENVIRONMENT_NAMES)('%s distribution references', (env) => {
  const objects = renderedDistribution(env);
  const find = (kind: string, namespace: string, name: string): Obj | undefined =>
    objects.find(({ object }) => object.kind === kind && object.metadata.namespace === namespace && object.metadata.name === name)?.object;
  const canaries = ofKind(objects, 'Canary');

  it.each(canaries.map((c) => [c.metadata.name, c] as const))('%s: targetRef and autoscalerRef resolve', (_name, canary) => {
    const ns = canary.metadata.namespace;
    const deployment = find(canary.spec.targetRef.kind, ns, canary.spec.targetRef.name);
    expect(deployment?.apiVersion).toBe(canary.spec.targetRef.apiVersion);
    const hpa = find(canary.spec.autoscalerRef.kind, ns, canary.spec.autoscalerRef.name);
    expect(hpa?.apiVersion).toBe(canary.spec.autoscalerRef.apiVersion);
    expect(hpa?.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: canary.spec.targetRef.name });
  });

  it.each(canaries.map((c) => [c.metadata.name, c] as const))('%s: service port is a port the target container serves', (_name, canary) => {
    const deployment = find('Deployment', canary.metadata.namespace, canary.spec.targetRef.name);
    const ports = (deployment?.spec.template.spec.containers as Obj[]).flatMap((c) => c.ports as Obj[]);
    const port = ports.find((p) => p.name === canary.spec.service.targetPort);
    expect(port?.containerPort).toBe(canary.spec.service.port);
  });

  it.each(canaries.map((c) => [c.metadata.name, c] as const))('%s: every metric is a builtin or a MetricTemplate here', (_name, canary) => {
    for (const metric of canary.spec.analysis.metrics as Obj[]) {
      if (metric.templateRef === undefined) {
        expect(BUILTIN_METRICS).toContain(metric.name);
        continue;
      }
      const template = find('MetricTemplate', metric.templateRef.namespace ?? canary.metadata.namespace, metric.templateRef.name);
      expect(template, `${metric.name} → MetricTemplate ${metric.templateRef.name}`).toBeDefined();
    }
  });

  it.each(canaries.map((c) => [c.metadata.name, c] as const))('%s: webhooks go to the loadtester Service of this distribution', (_name, canary) => {
    for (const webhook of canary.spec.analysis.webhooks as Obj[]) {
      const url = new URL(webhook.url);
      const [serviceName, namespace] = url.hostname.split('.');
      const service = find('Service', namespace ?? '', serviceName ?? '');
      expect(service, webhook.url).toBeDefined();
      expect(Number(url.port || 80)).toBe((service?.spec.ports as Obj[])[0]?.port);
      const runner = find('Deployment', namespace ?? '', serviceName ?? '');
      expect(runner?.spec.template.metadata.labels).toMatchObject(service?.spec.selector);
      expect(runner?.spec.template.spec.containers[0].image).toMatch(/^ghcr\.io\/fluxcd\/flagger-loadtester:\d+\.\d+\.\d+$/);
    }
  });

  it.each(canaries.map((c) => [c.metadata.name, c] as const))('%s: tests target this canary (and its primary, to judge against), and the load test cannot gate', (_name, canary) => {
    const { name, namespace } = canary.metadata;
    const hooks = canary.spec.analysis.webhooks as Obj[];
    const urls = (text: string): string[] => [...text.matchAll(/http:\/\/([a-z0-9.-]+):\d+/g)].map((m) => m[1] ?? '');
    // The blocking conformance test runs first; the asynchronous load warm-ups after it.
    const conformance = hooks.filter((h) => h.type === 'pre-rollout' && h.metadata.type === 'bash');
    expect(conformance.map((h) => h.name)).toEqual(['conformance']);
    expect(hooks.findIndex((h) => h.type === 'pre-rollout')).toBe(hooks.indexOf(conformance[0]!));
    expect(new Set(urls(conformance[0]?.metadata.cmd))).toEqual(new Set([`${name}-canary.${namespace}`, `${name}-primary.${namespace}`]));
    // The chain check again, blocking, at every analysis.
    const chain = hooks.filter((h) => h.type === 'rollout' && h.metadata.type === 'bash');
    expect(chain.map((h) => h.name)).toEqual(['chain']);
    expect(new Set(urls(chain[0]?.metadata.cmd))).toEqual(new Set([`${name}-canary.${namespace}`, `${name}-primary.${namespace}`]));
    const load = hooks.filter((h) => h.type === 'rollout' && h.metadata.type === 'cmd');
    expect(load.length).toBeGreaterThan(0);
    const warmups = hooks.filter((h) => h.type === 'pre-rollout' && h.metadata.type === 'cmd');
    expect(warmups.map((h) => h.metadata.cmd)).toEqual(load.map((h) => h.metadata.cmd));
    for (const hook of load) {
      expect(hook.metadata.cmd).toMatch(/^hey /);
      expect([`${name}-canary.${namespace}`, `${name}.${namespace}`]).toContain(urls(hook.metadata.cmd)[0]);
    }
  });
});
