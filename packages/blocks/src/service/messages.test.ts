/**
 * What a service team reads for each broken field: one line naming service, environment and field,
 * saying what is allowed. These lines are the interface of a failed build, so they are pinned here.
 */
import { describe, expect, it } from 'vitest';
import { DistributionError, formatIssue } from '../errors.js';
import { PODINFO_VERSION } from '../images.js';
import { input } from '../test-fixtures.js';
import { blueGreen } from '../strategy/strategies.js';
import { defineService } from './define.js';
import { baseObjects, parseServiceInput } from './parse.js';

const linesFor = (overrides: Record<string, unknown>): string[] => {
  const parsed = parseServiceInput({ ...input, ...overrides }, { environment: 'istio' });
  return parsed.ok ? [] : parsed.issues.map(formatIssue);
};
const at = (field: string, message: string, service = 'api'): string => `service ${service}, environment istio, field ${field}: ${message} [input.invalid]`;
const resources = (requests: object, limits: object) => ({ resources: { requests: { cpu: '100m', memory: '64Mi', ...requests }, limits: { cpu: '1', memory: '128Mi', ...limits } } });

describe('a broken service input is reported field by field', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['a long name', { name: 'x'.repeat(41) }, [at('name', 'at most 40 characters: Flagger appends -primary and -canary', 'x'.repeat(41))]],
    ['a name that is no DNS label', { name: 'Web' }, [at('name', 'a lowercase DNS label (a-z, 0-9, -), starting with a letter', 'Web')]],
    ['a name Flagger generates', { name: 'web-canary' }, [at('name', 'must not end in -primary or -canary: Flagger generates those names for every service', 'web-canary')]],
    ['CPU in a form Kubernetes rounds, and beyond any node', resources({ cpu: '1.2345' }, { cpu: '257' }), [at('resources.requests.cpu', 'a CPU quantity such as 100m, 1 or 1.5 (at most 3 decimals)'), at('resources.limits.cpu', 'at most 256 cores')]],
    ['memory in decimal units, and beyond any node', resources({ memory: '64MB' }, { memory: '1025Gi' }), [at('resources.requests.memory', 'a memory quantity such as 64Mi or 1Gi'), at('resources.limits.memory', 'at most 1Ti')]],
    ['a memory limit below its request', resources({ memory: '128Mi' }, { memory: '64Mi' }), [at('resources.limits.memory', 'resources.limits.memory (64Mi) is below resources.requests.memory (128Mi)')]],
    ['a CPU limit below its request', resources({ cpu: '2' }, { cpu: '1500m' }), [at('resources.limits.cpu', 'resources.limits.cpu (1500m) is below resources.requests.cpu (2)')]],
    ['a conformance check with nothing right', { conformance: [{ name: 'a\u0001', method: 'PUT', path: 'x', body: '\u0000' }] }, [
      at('conformance.0.name', 'printable ASCII (no control characters)'),
      at('conformance.0.method', 'Invalid option: expected one of "GET"|"POST"'),
      at('conformance.0.path', 'an absolute URL path of letters, digits and / _ . -'),
      at('conformance.0.body', 'printable ASCII (no control characters)'),
    ]],
    ['an unpinned podinfo', { podinfoVersion: '6.9' }, [at('podinfoVersion', `a pinned release such as ${PODINFO_VERSION} (never latest)`)]],
    ['a colour and a log level podinfo does not know', { config: { message: 'm', color: '#12345G', logLevel: 'trace' } }, [at('config.color', 'a colour such as #34577c'), at('config.logLevel', 'Invalid option: expected one of "debug"|"info"|"warn"|"error"')]],
    ['a service calling itself', { config: { message: 'm', color: '#123456', calls: ['api'] } }, [at('config.calls', 'api cannot call itself')]],
    ['an interval without a unit', { analysis: { interval: '90', threshold: 2 } }, [at('analysis.interval', 'seconds or minutes such as 30s or 1m')]],
    ['an interval under Flagger minimum', { analysis: { interval: '9s', threshold: 2 } }, [at('analysis.interval', 'at least 10s (Flagger minimum)')]],
    ['an interval over an hour', { analysis: { interval: '61m', threshold: 2 } }, [at('analysis.interval', 'at most 1h: a release would take days')]],
    ['fewer max than min replicas', { autoscaling: { minReplicas: 3, maxReplicas: 2, targetCpuUtilizationPercent: 80 } }, [at('autoscaling.maxReplicas', 'autoscaling.maxReplicas (2) is below autoscaling.minReplicas (3)')]],
  ])('%s', (_name, overrides, lines) => {
    expect(linesFor(overrides)).toEqual(lines);
  });

  it('accepts the edges of every bound', () => {
    expect(linesFor({ name: 'x'.repeat(40), ...resources({ cpu: '1.5', memory: '1Gi' }, { cpu: '256', memory: '1024Gi' }) })).toEqual([]);
    expect(linesFor({ ...resources({ memory: '128Mi', cpu: '1' }, { memory: '128Mi', cpu: '1000m' }), autoscaling: { minReplicas: 2, maxReplicas: 2, targetCpuUtilizationPercent: 80 } })).toEqual([]);
    expect(linesFor({ analysis: { interval: '10s', threshold: 2 } })).toEqual([]);
    expect(linesFor({ analysis: { interval: '60m', threshold: 2 } })).toEqual([]);
  });

  it('reports an input without a usable name under its position, without an environment when none is given', () => {
    const parsed = parseServiceInput({ ...input, name: '', podinfoVersion: 'latest' }, { fallbackName: 'services.2' });
    expect(parsed.ok ? [] : parsed.issues.map(formatIssue)).toEqual(['service services.2, field name: a lowercase DNS label (a-z, 0-9, -), starting with a letter [input.invalid]', `service services.2, field podinfoVersion: a pinned release such as ${PODINFO_VERSION} (never latest) [input.invalid]`]);
    const unnamed = parseServiceInput(null);
    expect(unnamed.ok ? [] : unnamed.issues.map((i) => i.service)).toEqual(['service']);
  });
});

describe('baseObjects', () => {
  it('builds a service outside any environment, and throws every problem at once', () => {
    expect(Object.values(baseObjects(input, 'ns')).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(['ConfigMap/ns/api-config', 'Deployment/ns/api', 'HorizontalPodAutoscaler/ns/api', 'PodDisruptionBudget/ns/api', 'Service/ns/api']);
    expect(() => baseObjects({ ...input, name: 'Web', podinfoVersion: 'x' }, 'ns')).toThrow(new DistributionError([
      { code: 'input.invalid', service: 'Web', path: 'name', message: 'a lowercase DNS label (a-z, 0-9, -), starting with a letter' },
      { code: 'input.invalid', service: 'Web', path: 'podinfoVersion', message: `a pinned release such as ${PODINFO_VERSION} (never latest)` },
    ]));
  });

  it('is what a service package exports: its input, its strategies and its objects in any namespace', () => {
    const strategies = { kubernetes: blueGreen({ iterations: 3 }), istio: blueGreen({ iterations: 4 }), linkerd: blueGreen({ iterations: 5 }) };
    const service = defineService(input, strategies);
    expect([service.input, service.strategies]).toEqual([input, strategies]);
    const objects = service.baseObjects('shop');
    expect(objects.deployment.metadata?.namespace).toBe('shop');
    // Without Flagger, a plain Service sends podinfo's port to the pods.
    expect(objects.service).toMatchObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 9898, targetPort: 'http', protocol: 'TCP' }] } });
    expect(objects.service.spec?.selector).toEqual(objects.deployment.spec?.selector?.matchLabels);
  });

  it('writes podinfo a config file with each callee URL on one line, however long', () => {
    const namespace = 'n'.repeat(63);
    const objects = baseObjects({ ...input, config: { ...input.config, calls: ['x'.repeat(40), 'db'] } }, namespace);
    expect(objects.configMap.data?.['config.yaml']).toContain(`  - http://${'x'.repeat(40)}.${namespace}:9898/echo\n  - http://db.${namespace}:9898/echo\n`);
  });
});
