import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';
import { post, session, subscribe, subscribeCall, type Session } from './scheduler-client.js';

let master: MesosMaster;
let s: Session;
beforeAll(async () => {
  master = await startMesosMaster({ allocationIntervalSeconds: 60 });
  s = await session(master.url);
});
afterAll(async () => {
  s.sub.close();
  await master.close();
});

const teardown = (): Record<string, unknown> => ({ framework_id: { value: s.frameworkId }, type: 'TEARDOWN' });
const withStream = (): Record<string, string> => ({ 'Mesos-Stream-Id': s.sub.streamId });

describe('HTTP-level rules of /api/v1/scheduler', () => {
  it('answers 405 with Allow: POST to other methods', async () => {
    const a = await post(master.url, undefined, {}, 'GET');
    expect(a.status).toBe(405);
    expect(a.headers.get('allow')).toBe('POST');
    expect((await post(master.url, '{}', {}, 'PUT')).status).toBe(405);
  });

  it('needs a Content-Type (400) that is exactly application/json (415 otherwise, charset included)', async () => {
    const res = await fetch(`${master.url}/api/v1/scheduler`, {
      method: 'POST',
      body: new Uint8Array(Buffer.from(JSON.stringify(teardown()))),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("Expecting 'Content-Type' to be present");
    const charset = await post(master.url, teardown(), { 'Content-Type': 'application/json; charset=utf-8', ...withStream() });
    expect(charset.status).toBe(415);
    expect(charset.body).toBe("Expecting 'Content-Type' of application/json or application/x-protobuf");
    expect((await post(master.url, teardown(), { 'Content-Type': 'text/plain', ...withStream() })).status).toBe(415);
    expect((await post(master.url, teardown(), { 'Content-Type': 'Application/JSON', ...withStream() })).status).toBe(415);
  });

  it('answers 400 to a body that is not protobuf, 501 to well-formed protobuf (JSON only in this emulator)', async () => {
    const protobuf = async (bytes: number[]) =>
      await fetch(`${master.url}/api/v1/scheduler`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf' },
        body: new Uint8Array(bytes),
      });
    const garbage = await protobuf([0x0a, 0x05, 0x61]);
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toBe('Failed to parse body into Call protobuf');
    // framework_id { value: "f" }, type: TEARDOWN
    expect((await protobuf([0x0a, 0x03, 0x0a, 0x01, 0x66, 0x10, 0x02])).status).toBe(501);
    expect((await post(master.url, subscribeCall(), { Accept: 'application/x-protobuf' })).status).toBe(501);
  });

  it('rejects bodies that are not JSON with 400', async () => {
    const a = await post(master.url, '{"type": ', withStream());
    expect(a.status).toBe(400);
    expect(a.body).toMatch(/^Failed to parse body into JSON: /);
  });

  it('ignores camelCase names, so required snake_case fields are missing (400)', async () => {
    const camelSubscribe = await post(master.url, { type: 'SUBSCRIBE', subscribe: { frameworkInfo: { user: 'root', name: 'x' } } });
    expect(camelSubscribe).toMatchObject({
      status: 400,
      body: 'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info',
    });
    const camelId = await post(master.url, { frameworkId: { value: s.frameworkId }, type: 'TEARDOWN' }, withStream());
    expect(camelId).toMatchObject({ status: 400, body: "Failed to validate scheduler::Call: Expecting 'framework_id' to be present" });
    const camelTask = await post(
      master.url,
      {
        framework_id: { value: s.frameworkId },
        type: 'ACCEPT',
        accept: {
          offer_ids: [],
          operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 't', taskId: { value: 't' }, agent_id: { value: 'a' } }] } }],
        },
      },
      withStream(),
    );
    expect(camelTask).toMatchObject({
      status: 400,
      body: 'Failed to convert JSON into Call protobuf: Missing required fields: accept.operations[0].launch.task_infos[0].task_id',
    });
  });

  it('takes enums by name only: a number is 400, an unknown call type name is a missing type (400)', async () => {
    const numeric = await post(master.url, { framework_id: { value: s.frameworkId }, type: 2 }, withStream());
    expect(numeric.status).toBe(400);
    expect(numeric.body).toMatch(/^Failed to convert JSON into Call protobuf: Not expecting a JSON number/);
    const unknownName = await post(master.url, { framework_id: { value: s.frameworkId }, type: 'TEAR_DOWN' }, withStream());
    expect(unknownName).toMatchObject({ status: 400, body: "Failed to validate scheduler::Call: Expecting 'type' to be present" });
  });

  it('answers 501 to type UNKNOWN from a subscribed framework', async () => {
    expect((await post(master.url, { framework_id: { value: s.frameworkId }, type: 'UNKNOWN' }, withStream())).status).toBe(501);
  });

  it('needs the member that matches the type (400)', async () => {
    const a = await post(master.url, { framework_id: { value: s.frameworkId }, type: 'ACCEPT' }, withStream());
    expect(a).toMatchObject({ status: 400, body: "Failed to validate scheduler::Call: Expecting 'accept' to be present" });
  });

  it('refuses a Mesos-Stream-Id on SUBSCRIBE (400) and an Accept it cannot serve (406)', async () => {
    const withId = await post(master.url, subscribeCall(), { 'Mesos-Stream-Id': 'x' });
    expect(withId).toMatchObject({ status: 400, body: "Subscribe calls should not include the 'Mesos-Stream-Id' header" });
    expect((await post(master.url, subscribeCall(), { Accept: 'text/html' })).status).toBe(406);
  });

  it("rejects 'framework_id' that differs from 'subscribe.framework_info.id' (400)", async () => {
    const a = await post(master.url, { ...subscribeCall({ id: { value: 'a' } }), framework_id: { value: 'b' } });
    expect(a).toMatchObject({
      status: 400,
      body: "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'",
    });
  });
});

describe('framework and stream checks on calls', () => {
  it('needs the stream id (400 when missing or wrong)', async () => {
    const missing = await post(master.url, { framework_id: { value: s.frameworkId }, type: 'REVIVE' });
    expect(missing).toMatchObject({ status: 400, body: "All non-subscribe calls should include the 'Mesos-Stream-Id' header" });
    const wrong = await post(master.url, { framework_id: { value: s.frameworkId }, type: 'REVIVE' }, { 'Mesos-Stream-Id': 'not-mine' });
    expect(wrong).toMatchObject({
      status: 400,
      body: `The stream ID 'not-mine' included in this request didn't match the stream ID currently associated with framework ID ${s.frameworkId}`,
    });
  });

  it('answers 400 for a framework it does not know', async () => {
    const a = await post(master.url, { framework_id: { value: 'nobody-0000' }, type: 'REVIVE' }, withStream());
    expect(a).toMatchObject({ status: 400, body: 'Framework cannot be found' });
  });

  it('answers 403 to a framework whose stream is closed', async () => {
    const other = await session(master.url);
    other.sub.close();
    await other.sub.ended;
    await expect.poll(async () => (await other.call('REVIVE')).status).toBe(403);
    expect((await other.call('REVIVE')).body).toBe('Framework is not subscribed');
  });

  it('checks ACKNOWLEDGE uuids: not base64 or not 16 bytes is 400', async () => {
    const ack = (uuid: string) => s.call('ACKNOWLEDGE', { agent_id: { value: master.agentIds[0]! }, task_id: { value: 't' }, uuid });
    const short = await ack(Buffer.alloc(8).toString('base64'));
    expect(short.status).toBe(400);
    expect(short.body).toMatch(/^Failed to validate scheduler::Call: Not a valid UUID/);
    expect((await ack('!!not base64!!')).status).toBe(400);
    expect((await ack(Buffer.alloc(16, 7).toString('base64'))).status).toBe(202);
  });

  it('names every missing required field of ACKNOWLEDGE', async () => {
    const a = await s.call('ACKNOWLEDGE', { agent_id: { value: 'x' } });
    expect(a).toMatchObject({
      status: 400,
      body: 'Failed to convert JSON into Call protobuf: Missing required fields: acknowledge.task_id, acknowledge.uuid',
    });
  });
});

describe('authentication and leadership', () => {
  it('requires HTTP Basic when auth is on (401 with the realm)', async () => {
    const secured = await startMesosMaster({ auth: { principal: 'spark', secret: 's3cr3t' } });
    try {
      const none = await post(secured.url, subscribeCall());
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Basic realm="mesos-master-scheduler"');
      expect(none.body).toBe('401 Unauthorized.');
      const basic = (p: string, q: string) => ({ Authorization: `Basic ${Buffer.from(`${p}:${q}`).toString('base64')}` });
      expect((await post(secured.url, subscribeCall(), basic('spark', 'wrong'))).status).toBe(401);
      const mismatch = await post(secured.url, subscribeCall({ principal: 'other' }), basic('spark', 's3cr3t'));
      expect(mismatch.status).toBe(400);
      const ok = await subscribe(secured.url, subscribeCall(), basic('spark', 's3cr3t'));
      expect(ok.status).toBe(200);
      await ok.next((e) => e.type === 'SUBSCRIBED');
      expect((secured.state.frameworks as Array<{ principal: string }>)[0]!.principal).toBe('spark');
      ok.close();
    } finally {
      await secured.close();
    }
  });

  it('answers 503 "No leader elected" when it knows no leader', async () => {
    const lonely = await startMesosMaster({ leader: false });
    try {
      expect(await post(lonely.url, subscribeCall())).toMatchObject({ status: 503, body: 'No leader elected' });
    } finally {
      await lonely.close();
    }
  });
});
