/**
 * What Flagger's own log says about a release. Each failed check is one "Halt …" event of its
 * canary; those that found no values are the checks a new canary meets before two scrapes have
 * seen its series, which say nothing about the release itself.
 */

interface LogLine {
  readonly ts?: string;
  readonly msg?: string;
  readonly canary?: string;
}

/** Failed checks of `canary` (`name.namespace`) since `since` that found no values, from Flagger's JSON log. */
export function noValueChecks(log: string, canary: string, since: Date): number {
  let count = 0;
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: LogLine;
    try {
      entry = JSON.parse(line) as LogLine;
    } catch {
      continue; // a line cut short while Flagger writes it
    }
    if (entry.canary === canary && entry.ts !== undefined && new Date(entry.ts) >= since && /^Halt advancement no values found/.test(entry.msg ?? '')) count += 1;
  }
  return count;
}
