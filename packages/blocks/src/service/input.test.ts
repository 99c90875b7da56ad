import { describe, expect, it } from 'vitest';
import { input } from '../test-fixtures.js';
import { serviceInputSchema } from './input.js';

/** The issue paths a value gets, or [] when it is accepted. */
const problems = (overrides: Record<string, unknown>): string[] => {
  const parsed = serviceInputSchema.safeParse({ ...input, ...overrides });
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
};
const check = (check: Record<string, unknown>): string[] => problems({ conformance: [{ name: 'x', path: '/readyz', ...check }] });

describe('service input patterns hold at both ends', () => {
  it('keeps conformance paths absolute, to the allowed characters, start to end', () => {
    expect(check({ path: '/readyz' })).toEqual([]);
    expect(check({ path: '/api/v1/store_1.json' })).toEqual([]);
    for (const path of ['readyz', 'x/readyz', '/readyz ', '/readyz?x=1', '/readyz\n', '/a b', "/a'b", '//host/x\\y']) {
      expect(check({ path }), JSON.stringify(path)).toEqual(['conformance.0.path']);
    }
  });

  it('takes any printable name and body, and nothing else', () => {
    expect(check({ name: `it's "$(x)" & ;|` })).toEqual([]);
    expect(check({ method: 'POST', body: `{"a":"'$HOME'"}` })).toEqual([]);
    for (const name of ['', 'line\nbreak', 'tab\there', 'bell\u0007', 'é', 'x'.repeat(81)]) expect(check({ name }), JSON.stringify(name)).toEqual(['conformance.0.name']);
    for (const body of ['\u0000', 'a\r\nb', 'x'.repeat(4097)]) expect(check({ method: 'POST', body }), JSON.stringify(body)).toEqual(['conformance.0.body']);
  });

  it('names services as DNS labels that are not Flagger-generated names, start to end', () => {
    expect(problems({ name: 'a' })).toEqual([]);
    expect(problems({ name: 'web-2' })).toEqual([]);
    for (const name of ['A', '-a', 'a-', '1a', 'a_b', 'a.b', ' a', 'a\n', 'web-primary', 'web-canary', 'a'.repeat(41)]) expect(problems({ name }), name).toEqual(['name']);
  });

  it('accepts quantities only in the forms and bounds Kubernetes stores exactly', () => {
    const resources = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { cpu, memory } });
    for (const [cpu, memory] of [['100m', '64Mi'], ['1.5', '1Gi'], ['256', '1024Gi'], ['0.001', '1Ki']]) expect(problems({ resources: resources(cpu!, memory!) }), cpu).toEqual([]);
    for (const cpu of ['1.0001', '257', '1e3', '1 ', 'm', '.5', '1000000000m']) expect(problems({ resources: resources(cpu, '64Mi') }), cpu).toContain('resources.requests.cpu');
    for (const memory of ['64', '64mi', '1025Gi', '1Ti', '64Mi ', 'x64Mi', '64Mix', '1 64Mi']) expect(problems({ resources: resources('1', memory) }), memory).toContain('resources.requests.memory');
  });

  it('pins podinfo to a release and colours to a hex triplet, start to end', () => {
    for (const podinfoVersion of ['6.14.1', '16.140.12']) expect(problems({ podinfoVersion }), podinfoVersion).toEqual([]);
    for (const podinfoVersion of ['latest', 'v6.14.1', '6.14.1-rc.1', '6.14', '6.x.1', ' 6.14.1', '6.14.1\n']) expect(problems({ podinfoVersion }), podinfoVersion).toEqual(['podinfoVersion']);
    const config = (color: string) => ({ config: { ...input.config, color } });
    expect(problems(config('#34577c'))).toEqual([]);
    for (const color of ['34577c', '#34577C', '#34577c0', 'x#34577c', '#3457']) expect(problems(config(color)), color).toEqual(['config.color']);
  });

  it('bounds intervals between Flagger minimum and an hour', () => {
    expect(problems({ analysis: { interval: '10s', threshold: 1 } })).toEqual([]);
    expect(problems({ analysis: { interval: '60m', threshold: 1 } })).toEqual([]);
    for (const interval of ['9s', '61m', '3601s', '1h', '01m', '1m ', ' 1m']) expect(problems({ analysis: { interval, threshold: 1 } }), interval).toEqual(['analysis.interval']);
  });
});
