import type { DriverRef } from '../../api/status.js';
import type { JobRun, Reservation } from '../ports.js';
import { buildTaskInfo, taskIdFor } from './build-task-info.js';
import { driverMasterUrl } from './driver-master.js';
import { MesosOfferLostError, MesosTaskInvalidError, MesosTaskStateUnknownError } from './errors.js';
import type { FrameworkSession } from './framework-session.js';
import type { AcceptSender } from './launch-batch.js';
import type { TaskStatus } from './mesos-types.js';
import type { TaskUser } from './task-user.js';

/** Timing of a launch. */
export interface LaunchOptions {
  readonly instance: string;
  readonly signal: AbortSignal;
  /** How long to wait for the first status of the new task before returning anyway. */
  readonly firstStatusTimeoutMs: number;
  /** How long to wait for a reconciliation answer about a task launched before a restart. */
  readonly reconcileTimeoutMs: number;
  readonly refuseSeconds: number;
  /** The framework user the driver container runs as. */
  readonly user: TaskUser;
  /** Master and agents share this host: a loopback master is what the driver should dial. */
  readonly singleHost: boolean;
}

/** Whether a status says the launch itself failed (so launching the same task again is safe). */
export function isLaunchFailure(s: TaskStatus): boolean {
  return s.state === 'TASK_ERROR' || ((s.state === 'TASK_LOST' || s.state === 'TASK_DROPPED') && s.reason === 'REASON_INVALID_OFFERS');
}

/**
 * ACCEPTs the held offer with a LAUNCH of the driver task (in one ACCEPT with the other drivers sharing the offer). Idempotent: a task of
 * this attempt the
 * master already knows (running, finished, even gone) is returned, never launched a second time.
 */
export async function launchDriver(
  session: FrameworkSession,
  run: JobRun,
  reservation: Reservation,
  options: LaunchOptions,
): Promise<DriverRef> {
  const info = await session.connect(options.signal);
  const taskId = taskIdFor(run);
  const ref = (agentId: string): DriverRef => ({ backend: 'mesos', taskId, agentId, frameworkId: info.frameworkId });
  const known = session.tasks.get(taskId);
  if (known && !isLaunchFailure(known)) return ref(known.agent_id?.value ?? reservation.agentId ?? '');
  const stored = session.stored.tasks[taskId];
  if (!known && stored) {
    await session.reconcile([{ taskId, agentId: stored.agentId }], options.signal);
    const answer = await session.tasks.until(taskId, () => true, { signal: options.signal, timeoutMs: options.reconcileTimeoutMs });
    if (!answer)
      throw new MesosTaskStateUnknownError(
        `task ${taskId} was launched before but ${session.master} has not reported it yet; not launching it again (retry later)`,
      );
    if (!isLaunchFailure(answer)) return ref(answer.agent_id?.value ?? stored.agentId);
  }
  const driverMaster = driverMasterUrl(run.spec.master, info.masterInfo, { singleHost: options.singleHost });
  const held =
    reservation.offerId !== undefined && session.offers.holds(reservation.key, reservation.offerId)
      ? session.offers.peek(reservation.key, info.generation)
      : undefined;
  if (!held) {
    session.offers.take(reservation.key);
    throw new MesosOfferLostError(
      `the offer ${reservation.offerId ?? '(none)'} held for ${reservation.key} is gone (rescinded or the subscription to ${session.master} was renewed); resources will be requested again`,
    );
  }
  const built = buildTaskInfo({
    run,
    offer: held.offer,
    instance: options.instance,
    user: options.user,
    driverMaster,
    ...(session.secret !== undefined ? { secret: session.secret } : {}),
  });
  const agentId = held.offer.agent_id.value;
  session.tasks.forget(taskId);
  session.addTask({ taskId, agentId, job: run.name, attempt: run.attempt, specHash: run.specHash, launchedAt: new Date().toISOString() });
  // Every driver sharing this offer goes out in the same ACCEPT; one job's abort does not cancel the others' call.
  const accept: AcceptSender = (offer, taskInfos) =>
    session.call(
      {
        type: 'ACCEPT',
        accept: {
          offer_ids: [{ value: offer.id.value }],
          operations: [{ type: 'LAUNCH', launch: { task_infos: [...taskInfos] } }],
          filters: { refuse_seconds: options.refuseSeconds },
        },
      },
      undefined,
      1,
    );
  try {
    await session.offers.launch(reservation.key, built.taskInfo, accept, options.signal);
  } catch (e) {
    // Never sent: the task does not exist anywhere, so it is not remembered either.
    if (e instanceof MesosOfferLostError || (options.signal.aborted && e === options.signal.reason)) session.removeTask(taskId);
    throw e;
  }
  session.log.info({ job: run.name, attempt: run.attempt, taskId, agentId, argv: built.redactedArgv }, 'Launched the driver task');
  const first = await session.tasks.until(taskId, () => true, { signal: options.signal, timeoutMs: options.firstStatusTimeoutMs });
  if (first?.state === 'TASK_ERROR') {
    session.removeTask(taskId);
    throw new MesosTaskInvalidError(`${session.master} refused driver task ${taskId}: ${first.reason ?? ''} ${first.message ?? ''}`.trim());
  }
  if (first && isLaunchFailure(first)) {
    session.removeTask(taskId);
    throw new MesosOfferLostError(
      `driver task ${taskId} was not launched: ${first.state} ${first.reason ?? ''} ${first.message ?? ''}`.trim(),
    );
  }
  return ref(agentId);
}
