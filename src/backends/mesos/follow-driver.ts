import { messageOf } from '../../errors.js';
import type { RunExit } from '../ports.js';
import { sleep } from '../../backoff.js';
import type { FrameworkSession } from './framework-session.js';
import type { TaskStatus } from './mesos-types.js';
import { FINISHED_FOR_US, runExitOf } from './map-task-state.js';
import { redactSecrets } from '../../secrets/redact.js';
import { readChunk, sandboxFilePath } from './sandbox-files.js';

/** What following a driver needs. */
export interface FollowOptions {
  readonly signal: AbortSignal;
  readonly onLog?: (chunk: string) => void;
  /** The job's other secret values (env entries marked secret), masked with the session's secret. */
  readonly secrets?: readonly string[];
  /** How often the sandbox stdout is polled while the task runs. */
  readonly logPollMs: number;
  /** How long to wait for a reconciliation answer about a task this process has not heard of. */
  readonly reconcileTimeoutMs: number;
  /** How long a TASK_UNREACHABLE driver may take to come back before it counts as lost (0: at once). */
  readonly unreachableGraceMs?: number;
}

/**
 * Waits for the task to end (UPDATEs are acknowledged by the session as they arrive) and maps the
 * final state to a RunExit. With `onLog`, streams the sandbox `stdout` and `stderr` from their start by polling
 * the agent's /files/read.
 */
export async function followDriver(
  session: FrameworkSession,
  taskId: string,
  agentId: string | undefined,
  options: FollowOptions,
): Promise<RunExit> {
  const info = await session.connect(options.signal);
  if (!session.tasks.get(taskId)) {
    await session.reconcile([{ taskId, ...(agentId ? { agentId } : {}) }], options.signal);
  }
  const stopLogs = new AbortController();
  const logs = options.onLog
    ? pollLog(
        session,
        info.frameworkId,
        taskId,
        agentId,
        masked(options.onLog, options.secrets),
        options.logPollMs,
        AbortSignal.any([stopLogs.signal, options.signal]),
      )
    : Promise.resolve();
  try {
    let end: TaskStatus | undefined;
    while (!end) {
      end = await session.tasks.until(taskId, (s) => FINISHED_FOR_US.has(s.state), {
        signal: options.signal,
        timeoutMs: options.reconcileTimeoutMs,
      });
      if (!end) {
        if (!session.tasks.get(taskId)) await session.reconcile([{ taskId, ...(agentId ? { agentId } : {}) }], options.signal);
      } else if (end.state === 'TASK_UNREACHABLE' && (options.unreachableGraceMs ?? 0) > 0) {
        end = await unreachableGrace(session, taskId, end, options.unreachableGraceMs ?? 0, options.signal);
      }
    }
    stopLogs.abort();
    await logs;
    return runExitOf(end)!;
  } finally {
    stopLogs.abort();
    await logs.catch(() => undefined);
  }
}

/** An onLog that masks the job's own secrets too (whole lines arrive, so none is split). */
const masked =
  (onLog: (chunk: string) => void, secrets: readonly string[] = []) =>
  (chunk: string) =>
    onLog(redactSecrets(chunk, secrets));

/** Waits up to `graceMs` for an unreachable task to report again: undefined when it runs on, else its (final) status. */
async function unreachableGrace(
  session: FrameworkSession,
  taskId: string,
  unreachable: TaskStatus,
  graceMs: number,
  signal: AbortSignal,
): Promise<TaskStatus | undefined> {
  session.log.warn(
    { master: session.master, taskId, graceMs },
    'The driver task is unreachable; waiting for its agent before counting it lost',
  );
  const back = await session.tasks.until(taskId, (s) => s.state !== 'TASK_UNREACHABLE', {
    signal,
    timeoutMs: graceMs,
    includeCurrent: false,
  });
  if (!back) return unreachable;
  if (FINISHED_FOR_US.has(back.state)) return back;
  session.log.info({ master: session.master, taskId, state: back.state }, 'The unreachable driver task is back');
  return undefined;
}

/**
 * Polls the sandbox stdout and stderr and passes whole new lines on (the secret redacted); ends with one last read after the stop signal.
 */
async function pollLog(
  session: FrameworkSession,
  frameworkId: string,
  taskId: string,
  agentId: string | undefined,
  onLog: (chunk: string) => void,
  pollMs: number,
  stop: AbortSignal,
): Promise<void> {
  const files = ['stdout', 'stderr'].map((name) => ({ path: sandboxFilePath(frameworkId, taskId, name), offset: 0, partial: '' }));
  const emit = (f: (typeof files)[number], text: string, final: boolean): void => {
    f.partial += text;
    const cut = final ? f.partial.length : f.partial.lastIndexOf('\n') + 1;
    if (cut <= 0) return;
    onLog(redactSecrets(f.partial.slice(0, cut), [session.secret]));
    f.partial = f.partial.slice(cut);
  };
  const drain = async (signal?: AbortSignal): Promise<void> => {
    const id = agentId ?? session.tasks.get(taskId)?.agent_id?.value;
    if (!id) return;
    const origin = await session.agentOrigin(id, signal);
    for (const f of files) {
      for (;;) {
        const chunk = await readChunk(session.http, origin, f.path, f.offset, signal);
        if (chunk === 'missing' || chunk.nextOffset === f.offset) break;
        f.offset = chunk.nextOffset;
        if (chunk.data !== '') emit(f, chunk.data, false);
      }
    }
  };
  while (!stop.aborted) {
    try {
      await drain(stop);
    } catch (e) {
      if (!stop.aborted) session.log.debug({ taskId, err: messageOf(e) }, 'Reading the driver log failed; retrying');
    }
    await sleep(pollMs, stop);
  }
  await drain().catch((e: unknown) => session.log.debug({ taskId, err: messageOf(e) }, 'Reading the end of the driver log failed'));
  for (const f of files) emit(f, '', true);
}
