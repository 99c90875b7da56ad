/** Flagger durations (`interval`, webhook `timeout`): whole seconds or minutes, `^[0-9]+(m|s)`. */
export type Duration = `${number}s` | `${number}m`;

export const DURATION_PATTERN: RegExp = /^[1-9][0-9]*(s|m)$/;

export const durationSeconds = (duration: string): number => {
  const match = DURATION_PATTERN.exec(duration);
  if (!match) throw new RangeError(`not a duration: ${duration}`);
  const amount = Number(duration.slice(0, -1));
  return match[1] === 'm' ? amount * 60 : amount;
};
