import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_LABELS, startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';
import { ensureBusyboxImage } from './busybox-image.js';
import { firstOffer, launch, runToState, shellTask } from './launch-helpers.js';
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

describe('LAUNCH', () => {
  it('runs the task as a real container: STARTING, RUNNING, FINISHED with uuids, output in the sandbox', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    const script = 'echo hello from $MESOS_SANDBOX; echo oops >&2; echo 42 > $MESOS_SANDBOX/result.txt';
    expect((await launch(s, offer, [shellTask(offer, 'pi-1', script)])).status).toBe(202);
    const statuses = await runToState(s, 'pi-1', 'TASK_FINISHED');
    expect(statuses.map((st) => st.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    for (const st of statuses) {
      expect(Buffer.from(String(st.uuid), 'base64')).toHaveLength(16);
      expect(st.source).toBe('SOURCE_EXECUTOR');
      expect(st.executor_id).toEqual({ value: 'pi-1' });
      expect(st.agent_id).toEqual(offer.agent_id);
    }
    expect(statuses[2]!.message).toBe('Container exited with status 0');
    const inspect = JSON.parse(Buffer.from(String(statuses[1]!.data), 'base64').toString('utf8')) as Array<{ Config: { Image: string } }>;
    expect(inspect[0]!.Config.Image).toBe('sparkctl/busybox:test');

    const fid = s.frameworkId;
    const base = `/frameworks/${fid}/executors/pi-1/runs/latest`;
    const read = async (file: string) =>
      (await fetch(`${master!.url}/files/read?path=${encodeURIComponent(`${base}/${file}`)}&offset=0`)).json();
    expect(await read('stdout')).toEqual({ data: 'hello from /mnt/mesos/sandbox\n', offset: 0 });
    expect(await read('stderr')).toEqual({ data: 'oops\n', offset: 0 });
    expect(await read('result.txt')).toEqual({ data: '42\n', offset: 0 });

    const containers = await docker.listContainers({ all: true, filters: { label: [`${CONTAINER_LABELS.taskId}=pi-1`] } });
    expect(containers.map((c) => c.Labels[CONTAINER_LABELS.frameworkId])).toContain(fid);
    expect(containers[0]!.HostConfig.NetworkMode).toBe('host');
    s.sub.close();
  });

  it('reports TASK_FAILED with the exit status when the command fails', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'bad-1', 'exit 3')]);
    const statuses = await runToState(s, 'bad-1', 'TASK_FAILED');
    expect(statuses.at(-1)).toMatchObject({ state: 'TASK_FAILED', message: 'Container exited with status 3', source: 'SOURCE_EXECUTOR' });
    expect(master.tasks().find((t) => t.id === 'bad-1')?.exitCode).toBe(3);
    s.sub.close();
  });

  it('runs shell:false commands as value + arguments, with the env, RO and RW host volumes', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    const ro = mkdtempSync(join(tmpdir(), 'emu-ro-'));
    const rw = mkdtempSync(join(tmpdir(), 'emu-rw-'));
    writeFileSync(join(ro, 'in.txt'), 'input\n');
    const task = shellTask(offer, 'argv-1', '', {
      command: {
        shell: false,
        value: 'sh',
        arguments: ['-c', 'cat /in/in.txt; echo "$GREETING $MESOS_SANDBOX" > /out/out.txt; touch /in/nope 2>/dev/null || echo read-only'],
        environment: { variables: [{ name: 'GREETING', value: 'hi' }] },
      },
      container: {
        type: 'DOCKER',
        docker: { image: 'sparkctl/busybox:test', network: 'HOST' },
        volumes: [
          { host_path: ro, container_path: '/in', mode: 'RO' },
          { host_path: rw, container_path: '/out', mode: 'RW' },
        ],
      },
    });
    await launch(s, offer, [task]);
    await runToState(s, 'argv-1', 'TASK_FINISHED');
    expect(readFileSync(join(rw, 'out.txt'), 'utf8')).toBe('hi /mnt/mesos/sandbox\n');
    const sandbox = master.tasks().find((t) => t.id === 'argv-1')!.sandbox;
    expect(readFileSync(join(sandbox, 'stdout'), 'utf8')).toBe('input\nread-only\n');
    s.sub.close();
    rmSync(ro, { recursive: true, force: true });
    rmSync(rw, { recursive: true, force: true });
  });

  it('sends TASK_KILLED (REASON_TASK_KILLED_DURING_LAUNCH) when KILL arrives before the container starts', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    expect((await launch(s, offer, [shellTask(offer, 'early-kill', 'sleep 60')])).status).toBe(202);
    await s.call('KILL', { task_id: { value: 'early-kill' } });
    const seen = await runToState(s, 'early-kill', 'TASK_KILLED');
    const killed = seen.at(-1)!;
    // The kill lands while the agent checks the image (normally) or just after TASK_STARTING.
    if (seen.length === 1) expect(killed).toMatchObject({ reason: 'REASON_TASK_KILLED_DURING_LAUNCH', source: 'SOURCE_AGENT' });
    else expect(killed.source).toBe('SOURCE_EXECUTOR');
    expect(master.tasks().find((t) => t.id === 'early-kill')?.exitCode).toBeUndefined();
    s.sub.close();
  });

  it('fetches command.uris into the sandbox before launch, and fails the task when one cannot be fetched', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    const dir = mkdtempSync(join(tmpdir(), 'emu-uri-'));
    writeFileSync(join(dir, 'app.sh'), '#!/bin/sh\necho fetched\n');
    const ok = shellTask(offer, 'uri-ok', '$MESOS_SANDBOX/app.sh');
    (ok.command as Record<string, unknown>).uris = [{ value: join(dir, 'app.sh'), executable: true }];
    const bad = shellTask(offer, 'uri-bad', 'true');
    (bad.command as Record<string, unknown>).uris = [{ value: 'https://artifacts.example.com/app.jar' }];
    await launch(s, offer, [ok, bad]);
    await runToState(s, 'uri-ok', 'TASK_FINISHED');
    expect(readFileSync(join(master.tasks().find((t) => t.id === 'uri-ok')!.sandbox, 'stdout'), 'utf8')).toBe('fetched\n');
    const failed = await runToState(s, 'uri-bad', 'TASK_FAILED');
    expect(failed.at(-1)).toMatchObject({ source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
    expect(String(failed.at(-1)!.message)).toMatch(/^Failed to launch container: Failed to fetch all URIs for container/);
    s.sub.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
