import { CanaryshipError } from '@canaryship/blocks';
import { describe, expect, it } from 'vitest';
import { waitUntil, WaitTimedOut } from './processes.js';

describe('waitUntil', () => {
  it('returns once the check holds, counting a check that throws as not yet', async () => {
    let calls = 0;
    await waitUntil('the third call', async () => {
      calls += 1;
      if (calls === 1) throw new Error('not reachable yet');
      return calls === 3;
    }, 5_000);
    expect(calls).toBe(3);
  });

  it('times out as a reportable error naming what it waited for, what it last saw and why the last check failed', async () => {
    const error = await waitUntil('the registry', () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5000\nstack-like detail')), 0, undefined, () => 'nothing listening').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimedOut);
    expect(error).toBeInstanceOf(CanaryshipError);
    expect((error as WaitTimedOut).code).toBe('cluster.timeout');
    expect((error as Error).message).toBe('timed out after 0s waiting for the registry; last seen: nothing listening; the last check failed: connect ECONNREFUSED 127.0.0.1:5000');
  });

  it('says only what it waited for when the last check ran and did not hold', async () => {
    const error = await waitUntil('Canaries in webapp', async () => false, 0).catch((e: unknown) => e);
    expect((error as Error).message).toBe('timed out after 0s waiting for Canaries in webapp');
  });

  it('still times out when describing the last state fails, whether it rejects or throws before it returns, and says so', async () => {
    const rejecting = await waitUntil('Flux', async () => false, 0, undefined, () => Promise.reject(new Error('kubectl gone'))).catch((e: unknown) => e);
    expect((rejecting as Error).message).toBe('timed out after 0s waiting for Flux; last seen: (cannot tell: kubectl gone)');
    const throwing = await waitUntil('Flux', async () => false, 0, undefined, () => {
      throw new Error('kubectl gone');
    }).catch((e: unknown) => e);
    expect(throwing).toBeInstanceOf(WaitTimedOut);
    expect((throwing as Error).message).toBe('timed out after 0s waiting for Flux; last seen: (cannot tell: kubectl gone)');
  });

  it('counts a check that throws before it returns a promise as not yet, like one that rejects', async () => {
    let calls = 0;
    const check = (): Promise<boolean> => {
      calls += 1;
      if (calls === 1) throw new Error('no client yet');
      return Promise.resolve(true);
    };
    await waitUntil('a client', check, 5_000);
    expect(calls).toBe(2);
  });
});
