import type { OwnedDriver } from '../ports.js';
import { sleep } from '../../backoff.js';
import { parseTaskId } from './build-task-info.js';
import type { FrameworkSession, KnownTask } from './framework-session.js';
import { FINISHED_FOR_US } from './map-task-state.js';
import type { TaskStatus } from './mesos-types.js';

/**
 * Reconciles (explicitly the tasks known from the state dir and the caller, then implicitly) and
 * returns the sparkctl tasks of this framework. Implicit answers have no end marker, so answers
 * are collected until `settleMs` pass without a new one.
 */
export async function listSessionDrivers(
  session: FrameworkSession,
  known: readonly KnownTask[],
  options: { signal: AbortSignal; settleMs: number },
): Promise<OwnedDriver[]> {
  const info = await session.connect(options.signal);
  const answers = new Map<string, TaskStatus>();
  let last = Date.now();
  const unwatch = session.tasks.watch((s) => {
    if (s.reason !== 'REASON_RECONCILIATION') return;
    answers.set(s.task_id.value, s);
    last = Date.now();
  });
  try {
    const explicit = new Map<string, string | undefined>();
    for (const t of Object.values(session.stored.tasks)) explicit.set(t.taskId, t.agentId);
    for (const t of known) if (t.master === session.master && !explicit.has(t.taskId)) explicit.set(t.taskId, t.agentId);
    if (explicit.size > 0)
      await session.reconcile(
        [...explicit].map(([taskId, agentId]) => ({ taskId, ...(agentId ? { agentId } : {}) })),
        options.signal,
      );
    await session.reconcile([], options.signal);
    last = Date.now();
    while (Date.now() - last < options.settleMs) {
      options.signal.throwIfAborted();
      await sleep(options.settleMs - (Date.now() - last), options.signal);
    }
  } finally {
    unwatch();
  }
  const drivers: OwnedDriver[] = [];
  for (const [taskId, s] of answers) {
    const parsed = parseTaskId(taskId);
    // A task the job gave up on is never the job's driver again: the session kills it when it is alive.
    if (!parsed || session.abandoned.has(taskId)) continue;
    const stored = session.stored.tasks[taskId];
    if (!stored && (s.state === 'TASK_GONE' || s.state === 'TASK_UNKNOWN' || s.state === 'TASK_LOST')) continue;
    drivers.push({
      ref: {
        backend: 'mesos',
        taskId,
        frameworkId: info.frameworkId,
        ...(s.agent_id ? { agentId: s.agent_id.value } : stored ? { agentId: stored.agentId } : {}),
      },
      job: parsed.job,
      specHash: stored?.specHash ?? parsed.shortHash,
      attempt: parsed.attempt,
      running: !FINISHED_FOR_US.has(s.state),
    });
  }
  return drivers;
}
