import type Docker from 'dockerode';
import { isConnectionError, statusCodeOf } from './errors.js';

/** How long wait lets the log stream deliver its last lines after the container stopped. */
export const LOG_DRAIN_MS = 5000;

/** Waits for `p`, but no longer than `ms`. */
export async function settleWithin(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([p, timeout]);
  clearTimeout(timer);
}

// How often a wait checks that the engine still answers: a wait whose connection dropped never settles by itself.
const WAIT_PROBE_MS = 2000;

/** Resolves once the container is not running; rejects when the engine stops answering (connection errors) or the signal aborts. */
export async function waitUntilStopped(c: Docker.Container, signal: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<void>((resolve, reject) => {
    const probe = () => {
      c.inspect({ abortSignal: signal }).then(
        (info) => (info.State.Running ? (timer = setTimeout(probe, WAIT_PROBE_MS)) : resolve()),
        (e: unknown) =>
          isConnectionError(e) || statusCodeOf(e) === 404 || signal.aborted ? reject(e) : (timer = setTimeout(probe, WAIT_PROBE_MS)),
      );
    };
    timer = setTimeout(probe, WAIT_PROBE_MS);
  });
  const waited = c.wait({ condition: 'not-running', abortSignal: signal });
  // The loser of the race may settle later (or never): its outcome is not needed.
  watchdog.catch(() => undefined);
  waited.catch(() => undefined);
  try {
    await Promise.race([waited, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}
