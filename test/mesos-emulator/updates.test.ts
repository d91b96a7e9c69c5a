import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';
import { ensureBusyboxImage } from './busybox-image.js';
import { ack, firstOffer, launch, runToState, shellTask, statusesOf, waitForState } from './launch-helpers.js';
import { session } from './scheduler-client.js';

let master: MesosMaster | undefined;
beforeAll(() => {
  ensureBusyboxImage();
});
afterEach(async () => {
  await master?.close();
  master = undefined;
});

describe('status updates', () => {
  it('re-sends the oldest unacknowledged update with the same uuid and holds later ones behind it', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05, statusUpdateRetrySeconds: 0.1 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'quick', 'true')]);
    const starting = await waitForState(s, 'quick', 'TASK_STARTING');
    await s.sub.next(() => statusesOf(s, 'quick').filter((st) => st.uuid === starting.uuid).length >= 3);
    await expect.poll(() => master!.tasks()[0]?.state, { timeout: 10_000 }).toBe('TASK_FINISHED');
    expect(statusesOf(s, 'quick').every((st) => st.state === 'TASK_STARTING')).toBe(true);
    expect(master.pendingUpdates().map((u) => u.status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);

    expect((await ack(s, starting)).status).toBe(202);
    const running = await waitForState(s, 'quick', 'TASK_RUNNING');
    await ack(s, running);
    const finished = await waitForState(s, 'quick', 'TASK_FINISHED');
    await ack(s, finished);
    await expect.poll(() => master!.pendingUpdates()).toEqual([]);
    expect((master.state.frameworks as Array<{ completed_tasks: unknown[] }>)[0]!.completed_tasks).toHaveLength(1);
    s.sub.close();
  });

  it('answers explicit RECONCILE per task with REASON_RECONCILIATION and no uuid', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'sleeper', 'sleep 30')]);
    await runToState(s, 'sleeper', 'TASK_RUNNING');
    const from = s.sub.events.length;
    expect(
      (
        await s.call('RECONCILE', {
          tasks: [
            { task_id: { value: 'sleeper' }, agent_id: offer.agent_id! },
            { task_id: { value: 'ghost' }, agent_id: offer.agent_id! },
            { task_id: { value: 'nowhere' } },
          ],
        })
      ).status,
    ).toBe(202);
    const known = await s.sub.next((e) => e.type === 'UPDATE', { from });
    const status = (known.update as { status: Record<string, unknown> }).status;
    expect(status).toMatchObject({
      task_id: { value: 'sleeper' },
      state: 'TASK_RUNNING',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      agent_id: offer.agent_id,
    });
    expect(status.uuid).toBeUndefined();
    await waitForState(s, 'ghost', 'TASK_LOST');
    const nowhere = await waitForState(s, 'nowhere', 'TASK_LOST');
    expect(nowhere).toMatchObject({ reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(nowhere.uuid).toBeUndefined();

    const implicitFrom = s.sub.events.length;
    await s.call('RECONCILE', { tasks: [] });
    const implicit = await s.sub.next((e) => e.type === 'UPDATE', { from: implicitFrom });
    expect((implicit.update as { status: { task_id: unknown; uuid?: string } }).status).toMatchObject({ task_id: { value: 'sleeper' } });
    s.sub.close();
  });

  it('answers unknown tasks of a PARTITION_AWARE framework with TASK_GONE / TASK_UNKNOWN', async () => {
    master = await startMesosMaster();
    const s = await session(master.url, { capabilities: [{ type: 'PARTITION_AWARE' }] });
    await s.call('RECONCILE', {
      tasks: [{ task_id: { value: 'a' }, agent_id: { value: master.agentIds[0]! } }, { task_id: { value: 'b' } }],
    });
    await waitForState(s, 'a', 'TASK_GONE');
    await waitForState(s, 'b', 'TASK_UNKNOWN');
    s.sub.close();
  });

  it('KILL: TASK_KILLING (when capable) then TASK_KILLED; KILL of an unknown task reconciles it', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05, killGraceSeconds: 0 });
    const s = await session(master.url, { capabilities: [{ type: 'TASK_KILLING_STATE' }] });
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'victim', 'sleep 60')]);
    await runToState(s, 'victim', 'TASK_RUNNING');
    const from = s.sub.events.length;
    expect((await s.call('KILL', { task_id: { value: 'victim' }, agent_id: offer.agent_id! })).status).toBe(202);
    const seen = await runToState(s, 'victim', 'TASK_KILLED', from);
    expect(seen.map((st) => st.state)).toEqual(['TASK_KILLING', 'TASK_KILLED']);
    await s.call('KILL', { task_id: { value: 'never-launched' } });
    expect(await waitForState(s, 'never-launched', 'TASK_LOST')).toMatchObject({ reason: 'REASON_RECONCILIATION' });
    s.sub.close();
  });

  it('fails a task that outlives max_completion_time with REASON_MAX_COMPLETION_TIME_REACHED', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'slowpoke', 'sleep 60', { max_completion_time: { nanoseconds: 300_000_000 } })]);
    const seen = await runToState(s, 'slowpoke', 'TASK_FAILED');
    expect(seen.at(-1)).toMatchObject({ source: 'SOURCE_EXECUTOR', reason: 'REASON_MAX_COMPLETION_TIME_REACHED' });
    s.sub.close();
  });
});

describe('ACCEPT validation', () => {
  it('answers invalid offers with TASK_LOST (TASK_DROPPED when PARTITION_AWARE), REASON_INVALID_OFFERS, no uuid', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    await launch(s, { ...offer, id: { value: 'stale-offer' } }, [shellTask(offer, 'lost-1', 'true')]);
    const lost = await waitForState(s, 'lost-1', 'TASK_LOST');
    expect(lost).toMatchObject({
      reason: 'REASON_INVALID_OFFERS',
      source: 'SOURCE_MASTER',
      message: 'Task launched with invalid offers: Offer stale-offer is no longer valid',
    });
    expect(lost.uuid).toBeUndefined();
    await launch(s, offer, [shellTask(offer, 'once', 'true')]);
    await launch(s, offer, [shellTask(offer, 'twice', 'true')]);
    await waitForState(s, 'twice', 'TASK_LOST');

    const pa = await session(master.url, { capabilities: [{ type: 'PARTITION_AWARE' }] });
    await pa.call('ACCEPT', {
      offer_ids: [],
      operations: [{ type: 'LAUNCH', launch: { task_infos: [shellTask(offer, 'dropped', 'true')] } }],
    });
    expect(await waitForState(pa, 'dropped', 'TASK_DROPPED')).toMatchObject({
      message: 'Task launched with invalid offers: No offers specified',
    });
    s.sub.close();
    pa.sub.close();
  });

  it('answers invalid tasks with TASK_ERROR, REASON_TASK_INVALID, no uuid, and launches the valid ones', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05, agents: [{ cpus: 1, mem: 256 }] });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    const big = shellTask(offer, 'too-big', 'true', { resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 8 }, role: '*' }] });
    const { command: _command, ...noCommand } = shellTask(offer, 'no-command', 'true');
    const badId = shellTask(offer, 'a/b', 'true');
    await launch(s, offer, [big, noCommand, badId, shellTask(offer, 'fine', 'true')]);
    const tooBig = await waitForState(s, 'too-big', 'TASK_ERROR');
    expect(tooBig).toMatchObject({ reason: 'REASON_TASK_INVALID', source: 'SOURCE_MASTER' });
    expect(String(tooBig.message)).toMatch(/^Task uses more resources cpus:8/);
    expect(tooBig.uuid).toBeUndefined();
    expect(await waitForState(s, 'no-command', 'TASK_ERROR')).toMatchObject({
      message: 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present',
    });
    await waitForState(s, 'a/b', 'TASK_ERROR');
    await runToState(s, 'fine', 'TASK_FINISHED');
    s.sub.close();
  });

  it('fails a task whose image is not on the engine: TASK_FAILED, REASON_CONTAINER_LAUNCH_FAILED, from the agent', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    const task = shellTask(offer, 'no-image', 'true', { container: { type: 'DOCKER', docker: { image: 'sparkctl/does-not-exist:none' } } });
    await launch(s, offer, [task]);
    const failed = await waitForState(s, 'no-image', 'TASK_FAILED');
    expect(failed).toMatchObject({ source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
    expect(String(failed.message)).toMatch(/^Failed to launch container: /);
    expect(Buffer.from(String(failed.uuid), 'base64')).toHaveLength(16);
    s.sub.close();
  });
});
