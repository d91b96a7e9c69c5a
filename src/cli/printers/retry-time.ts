import { formatDuration } from './format-age.js';

const NEXT_ATTEMPT = /next attempt at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)/;

/** A status message's `next attempt at <time>` as a person reads it: `next attempt in 25s (at <time>)`, or `due now`. */
export function humanizeRetryTime(message: string, now: Date = new Date()): string {
  return message.replace(NEXT_ATTEMPT, (whole, iso: string) => {
    const at = Date.parse(iso);
    if (Number.isNaN(at)) return whole;
    const left = at - now.getTime();
    return left > 0 ? `next attempt in ${formatDuration(left)} (at ${iso})` : `next attempt due now (at ${iso})`;
  });
}
