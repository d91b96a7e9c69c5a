import { messageOf } from '../../errors.js';
import type { DriverRef } from '../../api/status.js';
import type { Reservation } from '../ports.js';
import { MAY_RETURN } from './abandoned-tasks.js';
import { MesosKillTimeoutError } from './errors.js';
import type { FrameworkSession } from './framework-session.js';
import { FINISHED_FOR_US } from './map-task-state.js';

/**
 * KILLs the task if it may still run and waits (bounded) for a final state, then forgets it, or,
 * when its agent is unreachable, keeps it as abandoned (killed if it comes back); DECLINEs a held offer that was never launched on.
 * Idempotent.
 */
export async function releaseDriver(
  session: FrameworkSession,
  ref: DriverRef | undefined,
  reservation: Reservation | undefined,
  options: { signal: AbortSignal; killTimeoutMs: number; refuseSeconds: number },
): Promise<void> {
  if (reservation) {
    const held = session.offers.take(reservation.key);
    if (held) {
      await session
        .call(
          { type: 'DECLINE', decline: { offer_ids: [{ value: held.offer.id.value }], filters: { refuse_seconds: options.refuseSeconds } } },
          options.signal,
          1,
        )
        .catch((e: unknown) =>
          session.log.warn(
            { master: session.master, offerId: held.offer.id.value, err: messageOf(e) },
            'Declining an unused offer failed; it lapses with the stream',
          ),
        );
    }
  }
  const taskId = ref?.taskId;
  if (!taskId) return;
  const current = session.tasks.get(taskId);
  const agentId = ref.agentId || current?.agent_id?.value || session.stored.tasks[taskId]?.agentId;
  let last = current;
  if (!current || !FINISHED_FOR_US.has(current.state)) {
    await session.connect(options.signal);
    const ended = session.tasks.until(taskId, (s) => FINISHED_FOR_US.has(s.state), {
      signal: options.signal,
      timeoutMs: options.killTimeoutMs,
      includeCurrent: false,
    });
    await session.call(
      { type: 'KILL', kill: { task_id: { value: taskId }, ...(agentId ? { agent_id: { value: agentId } } : {}) } },
      options.signal,
    );
    last = await ended;
    if (!last)
      throw new MesosKillTimeoutError(
        `driver task ${taskId} did not end within ${options.killTimeoutMs} ms after KILL on ${session.master}; releasing will be retried`,
      );
    session.log.info({ master: session.master, taskId, state: last.state }, 'Killed the driver task');
  }
  // A task whose agent is unreachable may come back: remember it (durably) so it is killed when it does.
  if (last && MAY_RETURN.has(last.state)) session.abandoned.abandon(taskId, agentId, last.state);
  else session.removeTask(taskId);
}
