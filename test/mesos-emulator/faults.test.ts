import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMesosMaster, startMesosPair, type MesosMaster, type MesosPair } from '../support/mesos-emulator/index.js';
import { ensureBusyboxImage } from './busybox-image.js';
import { firstOffer, launch, runToState, shellTask, waitForState } from './launch-helpers.js';
import { post, session, subscribeCall } from './scheduler-client.js';

let master: MesosMaster | MesosPair | undefined;
beforeAll(() => {
  ensureBusyboxImage();
});
afterEach(async () => {
  await master?.close();
  master = undefined;
});

describe('faults', () => {
  it('dropStream ends the subscription; the framework gets 403 until it subscribes again', async () => {
    const m = (master = await startMesosMaster());
    const s = await session(m.url);
    m.faults.dropStream();
    await s.sub.ended;
    expect((await s.call('REVIVE')).status).toBe(403);
    const back = await session(m.url, { id: { value: s.frameworkId } });
    expect(back.frameworkId).toBe(s.frameworkId);
    back.sub.close();
  });

  it('stopHeartbeats silences the stream; resumeHeartbeats brings HEARTBEATs back', async () => {
    const m = (master = await startMesosMaster({ heartbeatIntervalSeconds: 0.05, allocationIntervalSeconds: 60 }));
    const s = await session(m.url);
    await s.sub.next(() => s.sub.ofType('HEARTBEAT').length >= 2);
    m.faults.stopHeartbeats();
    const before = s.sub.events.length;
    await delay(300);
    expect(s.sub.events.length).toBe(before);
    m.faults.resumeHeartbeats();
    await s.sub.next((e) => e.type === 'HEARTBEAT', { from: before });
    s.sub.close();
  });

  it('loseAgent: RESCIND of its offers, TASK_LOST (no uuid) per task, FAILURE with the agent id', async () => {
    const m = (master = await startMesosMaster({ allocationIntervalSeconds: 0.05, agents: [{ cpus: 1 }, { cpus: 1 }] }));
    const s = await session(m.url);
    const offers = await s.sub.next((e) => e.type === 'OFFERS' && (e.offers as { offers: unknown[] }).offers.length === 2);
    const [a, b] = (offers.offers as { offers: Array<Record<string, { value: string }>> }).offers;
    await launch(s, a!, [shellTask(a!, 'on-a', 'sleep 60')]);
    await runToState(s, 'on-a', 'TASK_RUNNING');
    const lostAgent = a!.agent_id!.value;
    m.faults.loseAgent(lostAgent);
    const lost = await waitForState(s, 'on-a', 'TASK_LOST');
    expect(lost).toMatchObject({ source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REMOVED' });
    expect(lost.uuid).toBeUndefined();
    expect(await s.sub.next((e) => e.type === 'FAILURE')).toEqual({ type: 'FAILURE', failure: { agent_id: { value: lostAgent } } });
    expect(b!.agent_id!.value).not.toBe(lostAgent);
    await s.call('RECONCILE', { tasks: [{ task_id: { value: 'on-a' }, agent_id: { value: lostAgent } }] });
    await s.sub.next((e) => e.type === 'UPDATE' && (e.update as { status: { reason?: string } }).status.reason === 'REASON_RECONCILIATION');
    s.sub.close();
  });

  it('loseAgent rescinds outstanding offers and tells PARTITION_AWARE frameworks TASK_UNREACHABLE', async () => {
    const m = (master = await startMesosMaster({ allocationIntervalSeconds: 0.05, agents: [{ cpus: 2 }] }));
    const s = await session(m.url, { capabilities: [{ type: 'PARTITION_AWARE' }] });
    const offer = await firstOffer(s);
    const from = s.sub.events.length;
    await launch(
      s,
      offer,
      [shellTask(offer, 'pa-task', 'sleep 60', { resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }] })],
      { refuse_seconds: 0 },
    );
    await runToState(s, 'pa-task', 'TASK_RUNNING');
    const rest = await firstOffer(s, from);
    m.faults.loseAgent(m.agentIds[0]!);
    expect(await s.sub.next((e) => e.type === 'RESCIND')).toEqual({ type: 'RESCIND', rescind: { offer_id: rest.id } });
    const unreachable = await waitForState(s, 'pa-task', 'TASK_UNREACHABLE');
    expect(unreachable.unreachable_time).toBeDefined();
    s.sub.close();
  });

  it('failTask kills the container: the executor reports TASK_FAILED with status 137', async () => {
    const m = (master = await startMesosMaster({ allocationIntervalSeconds: 0.05 }));
    const s = await session(m.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'fragile', 'sleep 60')]);
    const from = s.sub.events.length;
    await runToState(s, 'fragile', 'TASK_RUNNING');
    await m.faults.failTask('fragile');
    const seen = await runToState(s, 'fragile', 'TASK_FAILED', from);
    expect(seen.at(-1)).toMatchObject({ message: 'Container exited with status 137' });
    s.sub.close();
  });

  it('failover moves the leader: the old master answers 307 with a protocol-relative Location, the framework keeps its id', async () => {
    const pair = (master = await startMesosPair({ allocationIntervalSeconds: 0.05 }));
    const [one, two] = pair.masters;
    expect(pair.leader()).toBe(one);
    const follower = await post(two.url, subscribeCall());
    expect(follower.status).toBe(307);
    expect(follower.headers.get('location')).toBe(`//127.0.0.1:${one.port}/api/v1/scheduler`);

    const s = await session(one.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'across', 'sleep 60')]);
    await runToState(s, 'across', 'TASK_RUNNING');
    pair.faults.failover();
    await s.sub.ended;
    expect(pair.leader()).toBe(two);
    const redirected = await post(one.url, subscribeCall({ id: { value: s.frameworkId } }));
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get('location')).toBe(`//127.0.0.1:${two.port}/api/v1/scheduler`);
    const back = await session(two.url, { id: { value: s.frameworkId } });
    expect(back.frameworkId).toBe(s.frameworkId);
    await back.call('RECONCILE', { tasks: [{ task_id: { value: 'across' } }] });
    await back.sub.next((e) => e.type === 'UPDATE' && (e.update as { status: { state: string } }).status.state === 'TASK_RUNNING');
    back.sub.close();
  });

  it('noLeader leaves both masters answering 503 until failover elects the other one', async () => {
    const pair = (master = await startMesosPair());
    const [one, two] = pair.masters;
    pair.faults.noLeader();
    expect(await post(one.url, subscribeCall())).toMatchObject({ status: 503, body: 'No leader elected' });
    expect((await post(two.url, subscribeCall())).status).toBe(503);
    pair.faults.failover();
    expect(pair.leader()).toBe(two);
    expect((await post(one.url, subscribeCall())).headers.get('location')).toBe(`//127.0.0.1:${two.port}/api/v1/scheduler`);
  });

  it('after a failover the new leader knows no task until the agents re-register: reconcile gets no answer meanwhile', async () => {
    const pair = (master = await startMesosPair({ allocationIntervalSeconds: 0.05, agentReregisterDelaySeconds: 1 }));
    const [one, two] = pair.masters;
    const s = await session(one.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'reregister', 'sleep 60')]);
    await runToState(s, 'reregister', 'TASK_RUNNING');
    pair.faults.failover();
    const back = await session(two.url, { id: { value: s.frameworkId } });
    await back.call('RECONCILE', { tasks: [{ task_id: { value: 'reregister' } }] });
    await back.call('RECONCILE', { tasks: [] });
    await delay(300);
    expect(back.sub.ofType('UPDATE')).toEqual([]);
    expect(back.sub.ofType('OFFERS')).toEqual([]);
    await back.sub.next((e) => e.type === 'OFFERS');
    await back.call('RECONCILE', { tasks: [{ task_id: { value: 'reregister' } }] });
    expect(await waitForState(back, 'reregister', 'TASK_RUNNING')).toMatchObject({ reason: 'REASON_RECONCILIATION' });
    back.sub.close();
  });

  it('records every call and event as JSON lines in recordFile', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mesos-record-')), 'traffic.jsonl');
    const m = (master = await startMesosMaster({ recordFile: file, allocationIntervalSeconds: 60 }));
    const s = await session(m.url);
    await s.call('REVIVE');
    await m.close();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { dir: string; body: { type: string } });
    expect(lines[0]).toMatchObject({ dir: 'call', body: { type: 'SUBSCRIBE' } });
    expect(
      lines
        .filter((l) => l.dir === 'event')
        .map((l) => l.body.type)
        .slice(0, 2),
    ).toEqual(['SUBSCRIBED', 'HEARTBEAT']);
    expect(lines.some((l) => l.dir === 'call' && l.body.type === 'REVIVE')).toBe(true);
    expect(m.calls()).toHaveLength(2);
    rmSync(join(file, '..'), { recursive: true, force: true });
  });
});
