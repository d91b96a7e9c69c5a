/**
 * The one backoff: every retry (work queue, restart policy, engine connect, re-attach, collect,
 * Mesos reconnect) waits `backoffDelay(attempt, backoff)`, doubling from initialMs to maxMs.
 */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** 'equal': half fixed, half random; a fraction f: ±f around the delay; absent: no jitter. */
  readonly jitter?: 'equal' | number;
}

/** Delay before retry number `attempt` (0-based): initialMs doubled `attempt` times, jittered, never above maxMs. */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const { jitter } = backoff;
  const delay =
    jitter === undefined ? base : jitter === 'equal' ? base / 2 + random() * (base / 2) : base * (1 - jitter + 2 * jitter * random());
  return Math.round(Math.min(backoff.maxMs, delay));
}

/** Resolves after `ms`, or early (without error) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
