/**
 * What Flagger's own log says about a release. Each check ends in an event of its canary: "Advance
 * …" when it passed (the weight or iteration moves on; the first follows the pre-rollout checks) or
 * "Halt …" when it failed; of the failed, those that found no values are the checks a new canary
 * meets before two scrapes have seen its series, which say nothing about the release itself.
 */

interface LogLine {
  readonly ts?: string;
  readonly msg?: string;
  readonly canary?: string;
}

/** How a release's checks went, as Flagger logged them. */
export interface CheckEvents {
  /** Failed checks that found no values. */
  readonly noValues: number;
  /** Analysis checks that passed: the advances after the first (which the pre-rollout checks earn). */
  readonly passed: number;
  /** When each check ended, by Flagger's clock (ms): one per tick of its analysis. */
  readonly at: readonly number[];
}

/**
 * How much later than its schedule Flagger's ticks fell, in seconds: the time between its first and
 * last check beyond one interval per tick between them. A loaded machine slows each tick's work
 * (webhooks, queries, writes) and the ticker's next start with it; this is that slip, measured by
 * Flagger's own timestamps, not a guess.
 */
export const lateness = (checks: CheckEvents, intervalSeconds: number): number => {
  const [first, last] = [checks.at[0], checks.at.at(-1)];
  if (first === undefined || last === undefined) return 0;
  return Math.max(0, Math.round(((last - first) / 1000 - (checks.at.length - 1) * intervalSeconds) * 10) / 10);
};

/** The checks of `canary` (`name.namespace`) since `since`, from Flagger's JSON log. */
export function checkEvents(log: string, canary: string, since: Date): CheckEvents {
  let noValues = 0;
  let advances = 0;
  const at: number[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: LogLine;
    try {
      entry = JSON.parse(line) as LogLine;
    } catch {
      continue; // a line cut short while Flagger writes it
    }
    if (entry.canary !== canary || entry.ts === undefined || new Date(entry.ts) < since) continue;
    const message = entry.msg ?? '';
    if (message.startsWith('Halt advancement no values found')) noValues += 1;
    else if (message.startsWith(`Advance ${canary} canary `)) advances += 1;
    if (message.startsWith('Halt ') || message.startsWith(`Advance ${canary} canary `)) at.push(new Date(entry.ts).getTime());
  }
  return { noValues, passed: Math.max(0, advances - 1), at };
}
