import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { CONTAINER_LABELS, startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';
import { ensureBusyboxImage } from './busybox-image.js';
import { firstOffer, launch, runToState, shellTask, waitForState } from './launch-helpers.js';
import { session, subscribe, subscribeCall } from './scheduler-client.js';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
let master: MesosMaster | undefined;
beforeAll(() => {
  ensureBusyboxImage();
});
afterEach(async () => {
  await master?.close();
  master = undefined;
});

describe('framework lifecycle', () => {
  it('a second SUBSCRIBE of the same framework takes over: ERROR "Framework failed over" on the old stream', async () => {
    master = await startMesosMaster();
    const first = await session(master.url);
    const id = { value: first.frameworkId };
    const second = await session(master.url, { id });
    expect(second.frameworkId).toBe(first.frameworkId);
    expect(second.sub.streamId).not.toBe(first.sub.streamId);
    await first.sub.ended;
    expect(first.sub.events.at(-1)).toEqual({ type: 'ERROR', error: { message: 'Framework failed over' } });
    expect((await first.call('REVIVE')).status).toBe(400);
    expect((await second.call('REVIVE')).status).toBe(202);
    second.sub.close();
  });

  it('keeps a disconnected framework for failover_timeout; re-SUBSCRIBE gets the same id and pending updates', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url, { failover_timeout: 60 });
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'survivor', 'sleep 60')]);
    await runToState(s, 'survivor', 'TASK_RUNNING');
    s.sub.close();
    await expect.poll(async () => (await s.call('REVIVE')).status).toBe(403);
    await s.sub.ended;
    const back = await session(master.url, { id: { value: s.frameworkId }, failover_timeout: 60 });
    expect(back.frameworkId).toBe(s.frameworkId);
    await back.call('RECONCILE', { tasks: [{ task_id: { value: 'survivor' } }] });
    await back.sub.next((e) => e.type === 'UPDATE' && (e.update as { status: { state: string } }).status.state === 'TASK_RUNNING');
    back.sub.close();
  });

  it('removes a framework whose failover_timeout is 0 when its stream drops; its id is then refused', async () => {
    master = await startMesosMaster();
    const s = await session(master.url, { failover_timeout: 0 });
    s.sub.close();
    await expect.poll(() => (master!.state.completed_frameworks as unknown[]).length).toBe(1);
    const again = await subscribe(master.url, subscribeCall({ id: { value: s.frameworkId } }));
    expect(again.status).toBe(200);
    await again.ended;
    expect(again.events).toEqual([{ type: 'ERROR', error: { message: 'Framework has been removed' } }]);
  });

  it('TEARDOWN ends the stream without ERROR, kills the tasks (TASK_KILLED in /state) and removes their containers', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'doomed', 'sleep 60')]);
    await runToState(s, 'doomed', 'TASK_RUNNING');
    expect((await s.call('TEARDOWN')).status).toBe(202);
    await s.sub.ended;
    expect(s.sub.ofType('ERROR')).toEqual([]);
    const state = master.state as { completed_frameworks: Array<{ id: string; completed_tasks: Array<{ id: string; state: string }> }> };
    expect(state.completed_frameworks[0]).toMatchObject({ id: s.frameworkId, completed_tasks: [{ id: 'doomed', state: 'TASK_KILLED' }] });
    await expect
      .poll(async () => (await docker.listContainers({ filters: { label: [`${CONTAINER_LABELS.taskId}=doomed`] } })).length)
      .toBe(0);
  });

  it('UPDATE_FRAMEWORK answers 200, changes roles (offers follow) and refuses a changed user with 400', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05, agents: [{ roles: ['batch'] }] });
    const info = { user: 'root', name: 'emulator-test', failover_timeout: 3600, roles: ['web'], capabilities: [{ type: 'MULTI_ROLE' }] };
    const s = await session(master.url, info);
    const update = (patch: Record<string, unknown>) =>
      s.call('UPDATE_FRAMEWORK', { framework_info: { ...info, id: { value: s.frameworkId }, ...patch } });
    expect(await update({ user: 'someone-else' })).toMatchObject({ status: 400 });
    const ok = await update({ roles: ['web', 'batch'] });
    expect(ok).toMatchObject({ status: 200, body: '' });
    const offer = await s.sub.next((e) => e.type === 'OFFERS');
    expect((offer.offers as { offers: Array<{ allocation_info: unknown }> }).offers[0]!.allocation_info).toEqual({ role: 'batch' });
    expect((master.state.frameworks as Array<{ roles: string[] }>)[0]!.roles).toEqual(['web', 'batch']);
    s.sub.close();
  });

  it('SHUTDOWN of a command task executor kills its task', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'shut', 'sleep 60')]);
    const from = s.sub.events.length;
    await runToState(s, 'shut', 'TASK_RUNNING');
    expect((await s.call('SHUTDOWN', { executor_id: { value: 'shut' }, agent_id: offer.agent_id! })).status).toBe(202);
    await runToState(s, 'shut', 'TASK_KILLED', from);
    s.sub.close();
  });

  it('holds updates while the framework is away and re-sends them as soon as it re-subscribes', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05, statusUpdateRetrySeconds: 600 });
    const s = await session(master.url, { failover_timeout: 60 });
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'while-away', 'sleep 0.5')]);
    await runToState(s, 'while-away', 'TASK_RUNNING');
    s.sub.close();
    await expect.poll(() => master!.tasks()[0]?.state, { timeout: 10_000 }).toBe('TASK_FINISHED');
    const back = await session(master.url, { id: { value: s.frameworkId }, failover_timeout: 60 });
    const finished = await waitForState(back, 'while-away', 'TASK_FINISHED', 5_000);
    expect(Buffer.from(String(finished.uuid), 'base64')).toHaveLength(16);
    back.sub.close();
  });

  it('removes the framework when failover_timeout runs out: its running tasks are killed', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url, { failover_timeout: 0.3 });
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'orphan', 'sleep 60')]);
    await runToState(s, 'orphan', 'TASK_RUNNING');
    s.sub.close();
    await expect.poll(() => (master!.state.completed_frameworks as unknown[]).length, { timeout: 10_000 }).toBe(1);
    expect(master.tasks().find((t) => t.id === 'orphan')?.state).toBe('TASK_KILLED');
    await expect
      .poll(async () => (await docker.listContainers({ filters: { label: [`${CONTAINER_LABELS.taskId}=orphan`] } })).length)
      .toBe(0);
  });

  it('gives an offer declined by one framework to the next one', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const first = await session(master.url);
    const offer = await firstOffer(first);
    const second = await session(master.url);
    await first.call('DECLINE', { offer_ids: [offer.id!], filters: { refuse_seconds: 60 } });
    const other = await firstOffer(second);
    expect(other.agent_id).toEqual(offer.agent_id);
    expect(other.framework_id).toEqual({ value: second.frameworkId });
    first.sub.close();
    second.sub.close();
  });
});
