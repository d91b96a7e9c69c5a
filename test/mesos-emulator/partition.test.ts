import Docker from 'dockerode';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';
import { ensureBusyboxImage } from './busybox-image.js';
import { firstOffer, launch, runToState, shellTask, statusesOf, waitForState } from './launch-helpers.js';
import { session } from './scheduler-client.js';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
let master: MesosMaster | undefined;
beforeAll(() => {
  ensureBusyboxImage();
});
afterEach(async () => {
  await master?.close();
  master = undefined;
});

/** Whether the task's container is running on the engine now. */
async function containerRuns(m: MesosMaster, taskId: string): Promise<boolean> {
  const task = m.tasks().find((t) => t.id === taskId);
  if (!task) return false;
  const info = await docker
    .getContainer(`mesos-${task.containerId}`)
    .inspect()
    .catch(() => undefined);
  return info?.State.Running === true;
}

const PA = { capabilities: [{ type: 'PARTITION_AWARE' }] };

describe('agent partitions (partitionAgent / healAgent)', () => {
  it('PARTITION_AWARE: TASK_UNREACHABLE while the container runs on; KILL meanwhile only reconciles; on heal TASK_RUNNING returns and a KILL ends it', async () => {
    const m = (master = await startMesosMaster({ allocationIntervalSeconds: 0.05 }));
    const s = await session(m.url, PA);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'cut-off', 'sleep 60')]);
    await runToState(s, 'cut-off', 'TASK_RUNNING');
    const agentId = m.agentIds[0]!;
    m.faults.partitionAgent(agentId);
    const unreachable = await waitForState(s, 'cut-off', 'TASK_UNREACHABLE');
    expect(unreachable).toMatchObject({
      source: 'SOURCE_MASTER',
      reason: 'REASON_AGENT_REMOVED',
      message: 'health check timed out',
      agent_id: { value: agentId },
    });
    expect(unreachable.uuid).toBeUndefined();
    expect(unreachable.unreachable_time).toBeDefined();
    await s.sub.next((e) => e.type === 'FAILURE');
    expect(await containerRuns(m, 'cut-off')).toBe(true);
    expect((m.state.frameworks as Array<{ unreachable_tasks: Array<{ id: string }> }>)[0]!.unreachable_tasks.map((t) => t.id)).toEqual([
      'cut-off',
    ]);

    // The master cannot reach the task: a KILL is answered like a reconciliation, nothing is killed.
    const from = s.sub.events.length;
    await s.call('KILL', { task_id: { value: 'cut-off' }, agent_id: { value: agentId } });
    const answer = await s.sub.next((e) => e.type === 'UPDATE', { from });
    expect((answer.update as { status: unknown }).status).toMatchObject({ state: 'TASK_UNREACHABLE', reason: 'REASON_RECONCILIATION' });
    expect(await containerRuns(m, 'cut-off')).toBe(true);

    const healFrom = s.sub.events.length;
    m.faults.healAgent(agentId);
    const back = await s.sub.next((e) => e.type === 'UPDATE', { from: healFrom });
    const status = (back.update as { status: Record<string, unknown> }).status;
    expect(status).toMatchObject({
      state: 'TASK_RUNNING',
      source: 'SOURCE_MASTER',
      reason: 'REASON_AGENT_REREGISTERED',
      message: 'Unreachable agent re-reregistered',
    });
    expect(status.uuid).toBeUndefined();
    await s.call('KILL', { task_id: { value: 'cut-off' }, agent_id: { value: agentId } });
    await runToState(s, 'cut-off', 'TASK_KILLED', healFrom);
    expect(await containerRuns(m, 'cut-off')).toBe(false);
    s.sub.close();
  });

  it('without PARTITION_AWARE the partition reads TASK_LOST, and the task still comes back RUNNING on heal', async () => {
    const m = (master = await startMesosMaster({ allocationIntervalSeconds: 0.05 }));
    const s = await session(m.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'legacy', 'sleep 60')]);
    await runToState(s, 'legacy', 'TASK_RUNNING');
    m.faults.partitionAgent(m.agentIds[0]!);
    const lost = await waitForState(s, 'legacy', 'TASK_LOST');
    expect(lost).toMatchObject({ source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REMOVED' });
    expect(lost.unreachable_time).toBeUndefined();
    const from = s.sub.events.length;
    m.faults.healAgent(m.agentIds[0]!);
    const back = await s.sub.next((e) => e.type === 'UPDATE', { from });
    expect((back.update as { status: unknown }).status).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_AGENT_REREGISTERED' });
    s.sub.close();
  });

  it('an agent holds the updates of a task that ended during the partition and delivers them after healing', async () => {
    const m = (master = await startMesosMaster({ allocationIntervalSeconds: 0.05 }));
    const s = await session(m.url, PA);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'ends-away', 'sleep 1')]);
    await runToState(s, 'ends-away', 'TASK_RUNNING');
    m.faults.partitionAgent(m.agentIds[0]!);
    await waitForState(s, 'ends-away', 'TASK_UNREACHABLE');
    await expect.poll(() => m.tasks().find((t) => t.id === 'ends-away')?.state, { timeout: 10_000 }).toBe('TASK_FINISHED');
    expect(statusesOf(s, 'ends-away').map((st) => st.state)).not.toContain('TASK_FINISHED');
    const from = s.sub.events.length;
    m.faults.healAgent(m.agentIds[0]!);
    const seen = await runToState(s, 'ends-away', 'TASK_FINISHED', from);
    expect(seen[0]).toMatchObject({ state: 'TASK_FINISHED', reason: 'REASON_AGENT_REREGISTERED' });
    const reliable = await s.sub.next(
      (e) =>
        e.type === 'UPDATE' &&
        (e.update as { status: { uuid?: string; state: string } }).status.uuid !== undefined &&
        (e.update as { status: { state: string } }).status.state === 'TASK_FINISHED',
      { from },
    );
    expect(reliable).toBeDefined();
    s.sub.close();
  });

  it('past unreachableAgentMaxAgeSeconds the master forgets the agent: reconcile answers TASK_UNKNOWN until it re-registers as unknown', async () => {
    const m = (master = await startMesosMaster({ allocationIntervalSeconds: 0.05, unreachableAgentMaxAgeSeconds: 0.3 }));
    const s = await session(m.url, PA);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'forgotten', 'sleep 60')]);
    await runToState(s, 'forgotten', 'TASK_RUNNING');
    const agentId = m.agentIds[0]!;
    const containerId = m.tasks().find((t) => t.id === 'forgotten')!.containerId;
    m.faults.partitionAgent(agentId);
    await waitForState(s, 'forgotten', 'TASK_UNREACHABLE');
    await expect.poll(() => (m.state.frameworks as Array<{ unreachable_tasks: unknown[] }>)[0]!.unreachable_tasks.length).toBe(0);
    const from = s.sub.events.length;
    await s.call('RECONCILE', { tasks: [{ task_id: { value: 'forgotten' }, agent_id: { value: agentId } }] });
    const answer = await s.sub.next((e) => e.type === 'UPDATE', { from });
    expect((answer.update as { status: unknown }).status).toMatchObject({ state: 'TASK_UNKNOWN', reason: 'REASON_RECONCILIATION' });
    expect((await docker.getContainer(`mesos-${containerId}`).inspect()).State.Running).toBe(true);
    const healFrom = s.sub.events.length;
    m.faults.healAgent(agentId);
    const back = await s.sub.next((e) => e.type === 'UPDATE', { from: healFrom });
    expect((back.update as { status: unknown }).status).toMatchObject({ state: 'TASK_RUNNING', message: 'Unknown agent reregistered' });
    s.sub.close();
  });
});
