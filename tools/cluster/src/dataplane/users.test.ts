import { describe, expect, it } from 'vitest';
import { callTreeOf, primariesOnThePath, provenHops, userMarker, type DeclaredPath } from './users.js';

const service = (name: string, calls?: string[]) => ({ input: { name, ...(calls && { config: { calls } }) } });
const echo = JSON.stringify({ canaryship: userMarker('u1') });
/** podinfo's answer from a service that calls others: the list of their answers, in order. */
const fanOut = (...answers: string[]): string => JSON.stringify(answers);

describe("a user's answer, proven against the path the app declares", () => {
  it('proves a chain with one call at each step (a service that calls one other answers a list of one)', () => {
    const app: DeclaredPath = { entry: { upstream: 'web' }, services: [service('web', ['api']), service('api', ['ledger']), service('ledger')] };
    expect(provenHops(fanOut(fanOut(echo)), 'u1', callTreeOf(app))).toEqual({ ok: true, hops: ['entry', 'web', 'api', 'ledger'] });
  });

  it('proves a fan-out and a service two others call, naming each hop once', () => {
    const app: DeclaredPath = { entry: { upstream: 'web' }, services: [service('web', ['api', 'search']), service('api', ['db']), service('search', ['db']), service('db')] };
    expect(provenHops(fanOut(fanOut(echo), fanOut(echo)), 'u1', callTreeOf(app))).toEqual({ ok: true, hops: ['entry', 'web', 'api', 'db', 'search'] });
  });

  it.each([
    ['a service answered for itself instead of calling on', fanOut(echo), 'api answered'],
    ['a call is missing from the list', fanOut(fanOut()), 'api answered []'],
    ['another user\'s echo came back', fanOut(fanOut(JSON.stringify({ canaryship: userMarker('u2') }))), 'ledger answered'],
    ['the entry answered an error page', 'upstream connect error', 'web answered upstream connect error'],
  ])('names the hop that is not proven when %s', (_, body, why) => {
    const app: DeclaredPath = { entry: { upstream: 'web' }, services: [service('web', ['api']), service('api', ['ledger']), service('ledger')] };
    const proof = provenHops(body, 'u1', callTreeOf(app));
    expect(proof.ok).toBe(false);
    expect(proof.ok === false && proof.why).toContain(why);
  });

  it("names who serves the whole path between releases: the entry and each service's primary, once each", () => {
    const app: DeclaredPath = { entry: { upstream: 'web' }, services: [service('web', ['api', 'search']), service('api', ['db']), service('search', ['db']), service('db'), service('batch')] };
    expect(primariesOnThePath(callTreeOf(app))).toEqual(['api-primary', 'db-primary', 'entry', 'search-primary', 'web-primary']);
  });

  it('refuses a path that goes round in a circle', () => {
    expect(() => callTreeOf({ entry: { upstream: 'a' }, services: [service('a', ['b']), service('b', ['a'])] })).toThrow('entry → a → b → a');
  });
});
