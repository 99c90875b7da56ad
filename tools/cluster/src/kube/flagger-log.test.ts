import { describe, expect, it } from 'vitest';
import { noValueChecks } from './flagger-log.js';

const line = (ts: string, canary: string, msg: string) => JSON.stringify({ level: 'info', ts, caller: 'controller/events.go:45', msg, canary });

describe("Flagger's log", () => {
  const log = [
    line('2026-12-06T01:58:06.182Z', 'cache.webapp', 'Halt advancement no values found for istio metric request-success-rate probably cache.webapp is not receiving traffic: running query failed: no values found'),
    line('2026-12-06T01:58:16.100Z', 'cache.webapp', 'Halt advancement no values found for metric: error-rate'),
    line('2026-12-06T01:58:16.120Z', 'backend.webapp', 'Halt advancement no values found for custom metric: latency: running query failed: no values found'),
    line('2026-12-06T01:58:26.101Z', 'cache.webapp', 'Halt cache.webapp advancement success rate 71.43% < 99%'),
    line('2026-12-06T01:58:26.102Z', 'cache.webapp', 'Rolling back cache.webapp failed checks threshold reached 3'),
    '{"level":"info","ts":"2026-12-06T01:58:27', // cut short
    'I1206 01:58:28.000000 klog line',
  ].join('\n');

  it("counts a canary's failed checks that found no values, since the release began", () => {
    expect(noValueChecks(log, 'cache.webapp', new Date('2026-12-06T01:58:00Z'))).toBe(2);
    expect(noValueChecks(log, 'cache.webapp', new Date('2026-12-06T01:58:10Z'))).toBe(1);
    expect(noValueChecks(log, 'backend.webapp', new Date('2026-12-06T01:58:00Z'))).toBe(1);
    expect(noValueChecks(log, 'database.webapp', new Date('2026-12-06T01:58:00Z'))).toBe(0);
  });
});
