import { describe, expect, it } from 'vitest';
import { callTreeOf, type DeclaredPath } from '../dataplane/users.js';
import { faultyConfig, isDelayed, rolesIfAny, rolesOf } from './roles.js';

const service = (name: string, calls?: string[]) => ({ input: { name, ...(calls && { config: { calls } }) } });
const app = (upstream: string, ...services: ReturnType<typeof service>[]): DeclaredPath => ({ entry: { upstream }, services });

describe("the scenarios' roles, read from the app's path", () => {
  it('for a chain with a fan-out at its end: the service users reach, the last caller, its last dependency', () => {
    const roles = rolesOf(callTreeOf(app('web', service('web', ['api']), service('api', ['cache', 'ledger']), service('cache'), service('ledger'))));
    expect(roles).toEqual({ front: 'web', caller: 'api', calls: ['cache', 'ledger'], dependency: 'ledger' });
  });

  it('for an app where only the first service calls: that service is the caller', () => {
    expect(rolesOf(callTreeOf(app('shop', service('shop', ['stock']), service('stock'))))).toEqual({ front: 'shop', caller: 'shop', calls: ['stock'], dependency: 'stock' });
  });

  it('takes the last caller breadth first, not the first one declared', () => {
    const roles = rolesOf(callTreeOf(app('a', service('a', ['b', 'c']), service('b', ['d']), service('c', ['e']), service('d'), service('e'))));
    expect(roles).toEqual({ front: 'a', caller: 'c', calls: ['e'], dependency: 'e' });
  });

  it('says why an app without a call cannot play the scenarios', () => {
    expect(() => rolesOf(callTreeOf(app('solo', service('solo'))))).toThrow('no service of the app calls another');
  });

  it('are none for an app without a call, whose faulty releases all answer errors', () => {
    const tree = callTreeOf(app('solo', service('solo')));
    expect(rolesIfAny(tree)).toBeUndefined();
    expect(faultyConfig('solo', rolesIfAny(tree))).toEqual({ 'random-error': true });
  });

  it('delays the caller and its dependency, fails every other service', () => {
    const roles = { front: 'web', caller: 'api', calls: ['cache', 'ledger'], dependency: 'ledger' };
    expect(['web', 'api', 'cache', 'ledger'].map((s) => isDelayed(faultyConfig(s, roles)))).toEqual([false, true, false, true]);
    expect(faultyConfig('web', roles)).toEqual({ 'random-error': true });
  });
});
