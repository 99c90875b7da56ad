import { describe, expect, it } from 'vitest';
import { checkEvents, lateness } from './flagger-log.js';

const line = (ts: string, canary: string, msg: string) => JSON.stringify({ level: 'info', ts, caller: 'controller/events.go:45', msg, canary });

describe("Flagger's log", () => {
  const log = [
    line('2026-12-06T01:57:56.100Z', 'cache.webapp', 'Advance cache.webapp canary iteration 1/3'),
    line('2026-12-06T01:58:06.182Z', 'cache.webapp', 'Halt advancement no values found for istio metric request-success-rate probably cache.webapp is not receiving traffic: running query failed: no values found'),
    line('2026-12-06T01:58:06.190Z', 'backend.webapp', 'Advance backend.webapp canary weight 20'),
    line('2026-12-06T01:58:16.100Z', 'cache.webapp', 'Halt advancement no values found for metric: error-rate'),
    line('2026-12-06T01:58:16.120Z', 'backend.webapp', 'Halt advancement no values found for custom metric: latency: running query failed: no values found'),
    line('2026-12-06T01:58:26.090Z', 'backend.webapp', 'Advance backend.webapp canary weight 40'),
    line('2026-12-06T01:58:26.101Z', 'cache.webapp', 'Halt cache.webapp advancement success rate 71.43% < 99%'),
    line('2026-12-06T01:58:36.100Z', 'cache.webapp', 'Advance cache.webapp canary iteration 2/3'),
    line('2026-12-06T01:58:46.102Z', 'cache.webapp', 'Rolling back cache.webapp failed checks threshold reached 3'),
    line('2026-12-06T01:58:46.110Z', 'cache.webapp', 'Advance cache.webapp primary weight 100'),
    '{"level":"info","ts":"2026-12-06T01:58:47', // cut short
    'I1206 01:58:48.000000 klog line',
  ].join('\n');

  it("counts a canary's no-values checks and its passed checks (advances after the first), since the release began", () => {
    expect(checkEvents(log, 'cache.webapp', new Date('2026-12-06T01:57:50Z'))).toMatchObject({ noValues: 2, passed: 1 });
    expect(checkEvents(log, 'cache.webapp', new Date('2026-12-06T01:58:10Z'))).toMatchObject({ noValues: 1, passed: 0 });
    expect(checkEvents(log, 'backend.webapp', new Date('2026-12-06T01:57:50Z'))).toMatchObject({ noValues: 1, passed: 1 });
    expect(checkEvents(log, 'database.webapp', new Date('2026-12-06T01:57:50Z'))).toEqual({ noValues: 0, passed: 0, at: [] });
  });

  it("measures how far Flagger's ticks slipped behind their interval, by its own timestamps", () => {
    const cache = checkEvents(log, 'cache.webapp', new Date('2026-12-06T01:57:50Z'));
    // Five checks 10 s apart, the last ended 40.0 s after the first: on time.
    expect(cache.at.map((t) => new Date(t).toISOString().slice(14, 23))).toEqual(['57:56.100', '58:06.182', '58:16.100', '58:26.101', '58:36.100']);
    expect(lateness(cache, 10)).toBe(0);
    // The same checks on a 9 s schedule: 4 s behind it.
    expect(lateness(cache, 9)).toBe(4);
    const slow = [line('2026-12-06T02:00:00.000Z', 'x.webapp', 'Advance x.webapp canary weight 20'), line('2026-12-06T02:00:13.500Z', 'x.webapp', 'Halt x.webapp advancement request-success-rate 90% < 99%'), line('2026-12-06T02:00:26.000Z', 'x.webapp', 'Halt x.webapp advancement request-success-rate 90% < 99%')].join('\n');
    expect(lateness(checkEvents(slow, 'x.webapp', new Date('2026-12-06T01:59:00Z')), 10)).toBe(6);
    expect(lateness(checkEvents('', 'x.webapp', new Date(0)), 10)).toBe(0);
  });
});
