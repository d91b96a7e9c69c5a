/** Exponential backoff with jitter, capped. */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
}

/** Delay before retry number `attempt` (0-based): half fixed, half random, doubling up to the cap. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 15_000;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + random() * (base / 2));
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
