import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';
import { ensureBusyboxImage } from './busybox-image.js';
import { post, session, subscribe, subscribeCall } from './scheduler-client.js';

let master: MesosMaster | undefined;
beforeAll(() => {
  ensureBusyboxImage();
});
afterEach(async () => {
  await master?.close();
  master = undefined;
});

describe('SUBSCRIBE', () => {
  it('answers 200 with a stream id, then SUBSCRIBED, HEARTBEAT at the interval, and OFFERS', async () => {
    master = await startMesosMaster({
      heartbeatIntervalSeconds: 0.1,
      allocationIntervalSeconds: 0.05,
      agents: [{ cpus: 2, mem: 1024, attributes: { rack: 'r1' } }],
    });
    const sub = await subscribe(master.url, subscribeCall());
    expect(sub.status).toBe(200);
    expect(sub.res.headers['content-type']).toBe('application/json');
    expect(sub.streamId).toMatch(/^[0-9a-f-]{36}$/);
    const subscribed = await sub.next((e) => e.type === 'SUBSCRIBED');
    expect(sub.events[0]).toBe(subscribed);
    expect(sub.events[1]).toEqual({ type: 'HEARTBEAT' });
    const body = subscribed.subscribed as {
      framework_id: { value: string };
      heartbeat_interval_seconds: number;
      master_info: { port: number };
    };
    expect(body.framework_id.value).toMatch(new RegExp(`^${master.masterInfo.id as string}-0000$`));
    expect(body.heartbeat_interval_seconds).toBe(0.1);
    expect(body.master_info.port).toBe(master.port);
    const offers = await sub.next((e) => e.type === 'OFFERS');
    const offer = (offers.offers as { offers: Array<Record<string, unknown>> }).offers[0]!;
    expect(offer.agent_id).toEqual({ value: master.agentIds[0] });
    expect(offer.attributes).toEqual([{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }]);
    expect(offer.url).toEqual({
      scheme: 'http',
      address: { hostname: '127.0.0.1', ip: '127.0.0.1', port: master.port },
      path: '/slave(1)',
    });
    await sub.next((_e) => sub.ofType('HEARTBEAT').length >= 3);
    sub.close();
  });

  it('frames records by byte length, not by character count', async () => {
    master = await startMesosMaster();
    const s = await session(master.url, { name: 'café ☕ 数据' });
    await s.call('RECONCILE', { tasks: [{ task_id: { value: 'día-☕-数据' } }] });
    const update = await s.sub.next((e) => e.type === 'UPDATE');
    expect((update.update as { status: { task_id: unknown } }).status.task_id).toEqual({ value: 'día-☕-数据' });
    const frame = s.sub.decoder.frames.find((f) => f.bytes.toString('utf8').includes('día'))!;
    const text = frame.bytes.toString('utf8');
    expect(frame.length).toBe(Buffer.byteLength(text));
    expect(frame.length).toBeGreaterThan(text.length);
    await s.sub.next(() => s.sub.ofType('HEARTBEAT').length >= 1);
    expect((master.state as { frameworks: Array<{ name: string }> }).frameworks[0]!.name).toBe('café ☕ 数据');
    s.sub.close();
  });

  it('takes 202 for calls that carry the stream id', async () => {
    master = await startMesosMaster();
    const s = await session(master.url);
    const answer = await s.call('REVIVE', {});
    expect(answer.status).toBe(202);
    expect(answer.body).toBe('');
    expect(
      await post(master.url, { framework_id: { value: s.frameworkId }, type: 'SUPPRESS' }, { 'Mesos-Stream-Id': s.sub.streamId }),
    ).toMatchObject({ status: 202 });
    s.sub.close();
  });
});
