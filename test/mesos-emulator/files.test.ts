import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';
import { ensureBusyboxImage } from './busybox-image.js';
import { firstOffer, launch, runToState, shellTask } from './launch-helpers.js';
import { session, type Session } from './scheduler-client.js';

/** Every byte value 0x00..0xff once, as printf octal escapes. */
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const ALL_BYTES_ESCAPED = [...ALL_BYTES].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');

let master: MesosMaster;
let s: Session;
let base: string;
beforeAll(async () => {
  ensureBusyboxImage();
  master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
  s = await session(master.url);
  const offer = await firstOffer(s);
  // 70000 bytes of 'x' (over the 64 KiB read cap) and a UTF-8 line.
  const script =
    "head -c 70000 /dev/zero | tr '\\0' x > $MESOS_SANDBOX/big.txt; echo 'héllo' ; mkdir $MESOS_SANDBOX/out; " +
    `printf '${ALL_BYTES_ESCAPED}' > $MESOS_SANDBOX/all.bin; cp $MESOS_SANDBOX/all.bin $MESOS_SANDBOX/all.data`;
  await launch(s, offer, [shellTask(offer, 'files-task', script)]);
  await runToState(s, 'files-task', 'TASK_FINISHED');
  base = `/frameworks/${s.frameworkId}/executors/files-task/runs/latest`;
});
afterAll(async () => {
  s.sub.close();
  await master.close();
});

const read = async (query: string) => {
  const res = await fetch(`${master.url}/files/read?${query}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};
const path = (file: string): string => `path=${encodeURIComponent(`${base}/${file}`)}`;

describe('agent /files/read', () => {
  it('returns {data, offset} with the bytes as a JSON string', async () => {
    const r = await read(`${path('stdout')}&offset=0`);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    expect(r.text).toBe('{"data":"héllo\\n","offset":0}');
  });

  it('answers the file size as offset when offset is absent or -1', async () => {
    expect(JSON.parse((await read(path('stdout'))).text)).toEqual({ data: '', offset: 7 });
    expect(JSON.parse((await read(`${path('big.txt')}&offset=-1`)).text)).toEqual({ data: '', offset: 70000 });
  });

  it('honours offset and length, returns nothing past the end, and caps a read at 64 KiB', async () => {
    expect(JSON.parse((await read(`${path('stdout')}&offset=1&length=3`)).text)).toEqual({ data: 'él', offset: 1 });
    expect(JSON.parse((await read(`${path('stdout')}&offset=100`)).text)).toEqual({ data: '', offset: 100 });
    const capped = JSON.parse((await read(`${path('big.txt')}&offset=0`)).text) as { data: string };
    expect(capped.data.length).toBe(65536);
    const rest = JSON.parse((await read(`${path('big.txt')}&offset=65536&length=100000`)).text) as { data: string };
    expect(rest.data.length).toBe(70000 - 65536);
  });

  it('answers 400 for a missing path, a bad or negative offset, or a directory; 404 for an unknown path', async () => {
    expect(await read('offset=0')).toMatchObject({ status: 400, text: "Expecting 'path=value' in query." });
    expect((await read(`${path('stdout')}&offset=abc`)).status).toBe(400);
    expect(await read(`${path('stdout')}&offset=-2`)).toMatchObject({ status: 400, text: 'Negative offset provided: -2.' });
    expect(await read(`${path('out')}&offset=0`)).toMatchObject({ status: 400, text: 'Cannot read a directory.' });
    expect((await read(`${path('missing')}&offset=0`)).status).toBe(404);
    expect((await read(`${path('../../../../../../../../etc/passwd')}&offset=0`)).status).toBe(404);
    expect((await read(`path=${encodeURIComponent('/etc/passwd')}&offset=0`)).status).toBe(404);
  });

  it('serves the real sandbox path too', async () => {
    const task = master.tasks().find((t) => t.id === 'files-task')!;
    const r = await read(`path=${encodeURIComponent(`${task.sandbox}/stdout`)}&offset=0`);
    expect(JSON.parse(r.text)).toEqual({ data: 'héllo\n', offset: 0 });
  });
});

describe('agent /files/browse and master /state', () => {
  it('lists the sandbox sorted by path', async () => {
    const res = await fetch(`${master.url}/files/browse?path=${encodeURIComponent(base)}`);
    const entries = (await res.json()) as Array<{ path: string; mode: string; size: number }>;
    expect(entries.map((e) => e.path)).toEqual(['all.bin', 'all.data', 'big.txt', 'out', 'stderr', 'stdout'].map((f) => `${base}/${f}`));
    expect(entries[3]!.mode).toMatch(/^d/);
    expect(entries[2]).toMatchObject({ size: 70000, mode: expect.stringMatching(/^-rw/) as unknown });
  });

  it('/state lists frameworks, their tasks and the agents (pid at this port)', async () => {
    const state = (await (await fetch(`${master.url}/state`)).json()) as {
      frameworks: Array<{ id: string; completed_tasks: Array<{ id: string; state: string; slave_id: string }> }>;
      slaves: Array<{ id: string; pid: string }>;
    };
    expect(state.slaves[0]).toMatchObject({ id: master.agentIds[0], pid: `slave(1)@127.0.0.1:${master.port}` });
    expect(state.frameworks[0]!.id).toBe(s.frameworkId);
    expect(state.frameworks[0]!.completed_tasks[0]).toMatchObject({
      id: 'files-task',
      state: 'TASK_FINISHED',
      slave_id: master.agentIds[0],
    });
    const agent = (await (await fetch(`${master.url}/slave(1)/state`)).json()) as {
      frameworks: Array<{ executors: Array<{ id: string; directory: string }> }>;
    };
    expect(agent.frameworks[0]!.executors[0]).toMatchObject({ id: 'files-task', directory: master.tasks()[0]!.sandbox });
  });

  it('gzips whole bodies of 1024 bytes or more only when the request accepts gzip', async () => {
    const plain = await request(`${master.url}/state`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const text = await plain.body.text();
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(1024);
    const zipped = await request(`${master.url}/state`, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const unzipped = JSON.parse(gunzipSync(Buffer.from(await zipped.body.arrayBuffer())).toString('utf8')) as { id: string };
    expect(unzipped.id).toBe(master.masterInfo.id);
    const small = await request(`${master.url}/files/read?${path('stdout')}&offset=0`, { headers: { 'accept-encoding': 'gzip' } });
    expect(small.headers['content-encoding']).toBeUndefined();
    await small.body.text();
  });
});

describe('agent /files/download', () => {
  const download = async (query: string) => {
    const res = await fetch(`${master.url}/files/download?${query}`);
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      disposition: res.headers.get('content-disposition'),
      body: Buffer.from(await res.arrayBuffer()),
    };
  };

  it('returns the exact bytes of a binary file, which /files/read cannot', async () => {
    const r = await download(path('all.bin'));
    expect(r).toMatchObject({ status: 200, type: 'application/octet-stream', disposition: 'attachment; filename=all.bin' });
    expect(r.body.equals(ALL_BYTES)).toBe(true);
    const viaRead = JSON.parse((await read(`${path('all.bin')}&offset=0`)).text) as { data: string };
    expect(Buffer.from(viaRead.data, 'utf8').equals(ALL_BYTES)).toBe(false);
  });

  it('types by extension as libprocess does, else application/octet-stream', async () => {
    expect((await download(path('big.txt'))).type).toBe('text/plain');
    expect((await download(path('all.data'))).type).toBe('application/octet-stream');
  });

  it('answers 404 without a body for an unknown path, 400 for a directory or a missing path', async () => {
    expect(await download(path('nope.bin'))).toMatchObject({ status: 404, body: Buffer.alloc(0) });
    expect((await download(`path=${encodeURIComponent(`${base}/../../../../../../etc/passwd`)}`)).status).toBe(404);
    expect(await download(path('out'))).toMatchObject({ status: 400 });
    expect((await download('')).status).toBe(400);
  });
});
