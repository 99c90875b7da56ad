import { describe, expect, it } from 'vitest';
import { admits } from './network-policy.js';
import { emptySnapshot, type Pod, type Snapshot } from './state.js';

const pod = (name: string, labels: Record<string, string>, namespace = 'webapp'): Pod => ({ name, namespace, labels, annotations: {}, workload: name, configMaps: [], ports: [{ name: 'http', containerPort: 9898 }], image: 'podinfo', ready: true });
const api = pod('api', { app: 'api' });
const withPolicies = (...ingress: object[]): Snapshot => ({
  ...emptySnapshot('webapp'),
  networkPolicies: [{ spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress } }],
});

describe('admits, as the NetworkPolicy API defines it', () => {
  it('admits everything where no policy selects the pod, nothing where one selects it and no rule matches', () => {
    expect(admits(emptySnapshot('webapp'), { outside: true }, api, 9898)).toBe(true);
    expect(admits(withPolicies(), { pod: pod('web', { app: 'web' }) }, api, 9898)).toBe(false);
  });

  it('matches ports by number or by the container port name', () => {
    const snapshot = withPolicies({ ports: [{ port: 'http' }] });
    expect(admits(snapshot, { outside: true }, api, 9898)).toBe(true);
    expect(admits(snapshot, { outside: true }, api, 9797)).toBe(false);
  });

  it('reads a podSelector alone in the policy namespace, a namespaceSelector by namespace labels', () => {
    const snapshot = withPolicies({ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'flagger-system' } } }] });
    expect(admits(snapshot, { pod: pod('web', { app: 'web' }) }, api, 9898)).toBe(true);
    expect(admits(snapshot, { pod: pod('web', { app: 'web' }, 'other') }, api, 9898)).toBe(false);
    expect(admits(snapshot, { namespace: 'flagger-system' }, api, 9898)).toBe(true);
    expect(admits(snapshot, { namespace: 'default' }, api, 9898)).toBe(false);
    expect(admits(snapshot, { outside: true }, api, 9898)).toBe(false);
  });

  it('admits a namespace whose pods it cannot tell apart only through a selector of every pod', () => {
    const flagger = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'flagger-system' } } };
    expect(admits(withPolicies({ from: [{ ...flagger, podSelector: {} }] }), { namespace: 'flagger-system' }, api, 9898)).toBe(true);
    expect(admits(withPolicies({ from: [{ ...flagger, podSelector: { matchLabels: { app: 'flagger' } } }] }), { namespace: 'flagger-system' }, api, 9898)).toBe(false);
  });
});
