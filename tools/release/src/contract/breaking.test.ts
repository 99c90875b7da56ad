import { describe, expect, it } from 'vitest';
import { structuralBreaks } from './breaking.js';

const ids = (...objects: Record<string, any>[]) => new Map(objects.map((o) => [`${o.kind}/webapp/${o.metadata.name}`, o]));
const service = (ports: string[], selector = { app: 'entry' }) => ({ kind: 'Service', metadata: { name: 'entry' }, spec: { selector, ports: ports.map((name) => ({ name, port: 80 })) } });
const hpa = (target: string) => ({ kind: 'HorizontalPodAutoscaler', metadata: { name: 'backend' }, spec: { scaleTargetRef: { kind: 'Deployment', name: target } } });
const deployment = (containers: string[]) => ({ kind: 'Deployment', metadata: { name: 'backend' }, spec: { selector: { matchLabels: { app: 'backend' } }, template: { spec: { containers: containers.map((name) => ({ name })) } } } });

describe('what providers rely on', () => {
  it('added objects, containers and ports break nothing', () => {
    expect(structuralBreaks(ids(service(['http']), deployment(['podinfo'])), ids(service(['http', 'admin']), deployment(['podinfo', 'sidecar']), hpa('backend')))).toEqual([]);
  });

  it('a Service port renamed, a Service selector changed, an autoscaler retargeted', () => {
    const breaks = structuralBreaks(ids(service(['http']), hpa('backend')), ids(service(['web'], { app: 'edge' }), hpa('backend-v2')));
    expect(breaks.map((b) => [b.kind, b.object, b.detail])).toEqual([
      ['port-renamed', 'Service/webapp/entry', 'service port http is gone'],
      ['selector-changed', 'Service/webapp/entry', 'spec.selector changed from {"app":"entry"} to {"app":"edge"}'],
      ['selector-changed', 'HorizontalPodAutoscaler/webapp/backend', 'spec.scaleTargetRef changed from {"kind":"Deployment","name":"backend"} to {"kind":"Deployment","name":"backend-v2"}'],
    ]);
    expect(breaks[1]!.affects).toBe('providers whose objects select or are selected through Service/webapp/entry');
  });

  it('every container that is gone, by name', () => {
    expect(structuralBreaks(ids(deployment(['podinfo', 'proxy'])), ids(deployment(['app']))).map((b) => b.detail)).toEqual(['container podinfo is gone (now app)', 'container proxy is gone (now app)']);
  });
});
