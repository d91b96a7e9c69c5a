import type { JsonObject } from '../support/mesos-emulator/index.js';
import { BUSYBOX_IMAGE } from './busybox-image.js';
import type { Session } from './scheduler-client.js';

/** The first offer a session receives (from event index `from`). */
export async function firstOffer(s: Session, from = 0): Promise<JsonObject> {
  const event = await s.sub.next((e) => e.type === 'OFFERS', { from });
  return (event.offers as { offers: JsonObject[] }).offers[0]!;
}

/** A Docker TaskInfo running `script` under /bin/sh in the busybox image. */
export function shellTask(offer: JsonObject, taskId: string, script: string, extra: JsonObject = {}): JsonObject {
  return {
    name: `task ${taskId}`,
    task_id: { value: taskId },
    agent_id: offer.agent_id!,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, role: '*' },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 }, role: '*' },
    ],
    command: { shell: true, value: script },
    container: { type: 'DOCKER', docker: { image: BUSYBOX_IMAGE, network: 'HOST' } },
    ...extra,
  };
}

/** ACCEPTs an offer with one LAUNCH of the given tasks. */
export function launch(s: Session, offer: JsonObject, tasks: JsonObject[], filters?: JsonObject) {
  return s.call('ACCEPT', {
    offer_ids: [offer.id!],
    operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
    ...(filters ? { filters } : {}),
  });
}

/** The UPDATE statuses received so far for a task. */
export function statusesOf(s: Session, taskId: string): JsonObject[] {
  return s.sub
    .ofType('UPDATE')
    .map((e) => (e.update as { status: JsonObject }).status)
    .filter((st) => (st.task_id as { value: string }).value === taskId);
}

/** Waits for an UPDATE of a task in a given state. */
export async function waitForState(s: Session, taskId: string, state: string, timeoutMs = 30_000): Promise<JsonObject> {
  const event = await s.sub.next(
    (e) => {
      const st = (e.update as { status?: JsonObject } | undefined)?.status;
      return e.type === 'UPDATE' && (st?.task_id as { value: string }).value === taskId && st?.state === state;
    },
    { timeoutMs },
  );
  return (event.update as { status: JsonObject }).status;
}

/** Acknowledges a status that carries a uuid. */
export function ack(s: Session, status: JsonObject) {
  return s.call('ACKNOWLEDGE', { agent_id: status.agent_id!, task_id: status.task_id!, uuid: status.uuid! });
}

/** Acknowledges every status with a uuid as it arrives (from event index `from`), until the task reaches `state`. */
export async function runToState(s: Session, taskId: string, state: string, from = 0): Promise<JsonObject[]> {
  const seen: JsonObject[] = [];
  for (;;) {
    const event = await s.sub.next(
      (e) => e.type === 'UPDATE' && ((e.update as { status: JsonObject }).status.task_id as { value: string }).value === taskId,
      { from, timeoutMs: 30_000 },
    );
    from = s.sub.events.indexOf(event) + 1;
    const status = (event.update as { status: JsonObject }).status;
    seen.push(status);
    if (status.uuid !== undefined) await ack(s, status);
    if (status.state === state) return seen;
  }
}
