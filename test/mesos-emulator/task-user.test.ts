import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesosMaster, type JsonObject, type MesosMaster } from '../support/mesos-emulator/index.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from './busybox-image.js';
import { firstOffer, launch, runToState, shellTask } from './launch-helpers.js';
import { session, type Session } from './scheduler-client.js';

const docker = (parameters: JsonObject[]): JsonObject => ({
  container: { type: 'DOCKER', docker: { image: BUSYBOX_IMAGE, network: 'HOST', parameters } },
});
const WRITE = 'echo hi > $MESOS_SANDBOX/written && id -u';

describe('emulated agent: sandbox owner and container user', () => {
  let master: MesosMaster;
  let s: Session;
  let from = 0;
  const run = async (taskId: string, script: string, extra: JsonObject, end: string) => {
    const offer = await firstOffer(s, from);
    from = s.sub.events.length;
    await launch(s, offer, [shellTask(offer, taskId, script, extra)]);
    const seen = await runToState(s, taskId, end);
    return { last: seen.at(-1)!, task: master.tasks().find((t) => t.id === taskId)! };
  };

  beforeAll(async () => {
    ensureBusyboxImage();
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05, offerRefuseDefaultSeconds: 0.01 });
    s = await session(master.url, { user: 'nobody' });
  });
  afterAll(async () => {
    s?.sub.close();
    await master?.close();
  });

  it('creates the sandbox 0750 and owned by the framework user (src/slave/paths.cpp)', async () => {
    const { task } = await run('owner-task', 'true', docker([{ key: 'user', value: '65534:65534' }]), 'TASK_FINISHED');
    const st = statSync(task.sandbox);
    expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o777 }).toEqual({ uid: 65534, gid: 65534, mode: 0o750 });
  });

  it('runs the container as the DockerInfo user: the framework user can write its sandbox', async () => {
    const { task } = await run('same-user', WRITE, docker([{ key: 'user', value: '65534:65534' }]), 'TASK_FINISHED');
    expect(statSync(join(task.sandbox, 'written')).uid).toBe(65534);
  });

  it('a container user other than the sandbox owner cannot write it (as the image user 185 of apache/spark could not)', async () => {
    const { last } = await run('other-user', WRITE, docker([{ key: 'user', value: '185:185' }]), 'TASK_FAILED');
    expect(last.message).toMatch(/Container exited with status [1-9]/);
  });

  it('root without capabilities cannot write a sandbox owned by another user either', async () => {
    const { last } = await run('root-capdrop', WRITE, docker([{ key: 'cap-drop', value: 'ALL' }]), 'TASK_FAILED');
    expect(last.message).toMatch(/Container exited with status [1-9]/);
  });

  it('drops the task when the framework user does not exist on the agent', async () => {
    s.sub.close();
    const other = await session(master.url, { user: 'no-such-user-here' });
    try {
      const offer = await firstOffer(other);
      await launch(other, offer, [shellTask(offer, 'ghost-user', 'true')]);
      const [status] = await runToState(other, 'ghost-user', 'TASK_LOST');
      expect(status).toMatchObject({ state: 'TASK_LOST', source: 'SOURCE_AGENT', reason: 'REASON_EXECUTOR_TERMINATED' });
      expect(status!.message).toMatch(/Failed to chown directory to 'no-such-user-here'/);
    } finally {
      other.sub.close();
    }
  });
});

describe('emulated agent of a TLS-only cluster (requireLibprocessSsl)', () => {
  let master: MesosMaster;
  let s: Session;
  let certs: string;
  let from = 0;
  beforeAll(async () => {
    ensureBusyboxImage();
    certs = mkdtempSync(join(tmpdir(), 'tls-certs-'));
    writeFileSync(join(certs, 'mesos.crt'), 'cert');
    writeFileSync(join(certs, 'mesos.key'), 'key');
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05, offerRefuseDefaultSeconds: 0.01, requireLibprocessSsl: true });
    s = await session(master.url);
  });
  afterAll(async () => {
    s?.sub.close();
    await master?.close();
  });
  const tlsTask =
    (taskId: string, env: JsonObject[], certsDir = certs) =>
    async () => {
      const offer = await firstOffer(s, from);
      from = s.sub.events.length;
      await launch(s, offer, [
        shellTask(offer, taskId, 'true', {
          command: { shell: true, value: 'true', environment: { variables: env } },
          container: {
            type: 'DOCKER',
            docker: { image: BUSYBOX_IMAGE, network: 'HOST' },
            volumes: [{ host_path: certsDir, container_path: '/certs', mode: 'RO' }],
          },
        }),
      ]);
    };
  const sslEnv = [
    { name: 'LIBPROCESS_SSL_ENABLED', value: 'true' },
    { name: 'LIBPROCESS_SSL_CERT_FILE', value: '/certs/mesos.crt' },
    { name: 'LIBPROCESS_SSL_KEY_FILE', value: '/certs/mesos.key' },
  ];

  it('fails a task whose environment lacks LIBPROCESS_SSL_*', async () => {
    await tlsTask('plain-driver', [])();
    const seen = await runToState(s, 'plain-driver', 'TASK_FAILED');
    expect(seen.at(-1)).toMatchObject({
      reason: 'REASON_CONTAINER_LAUNCH_FAILED',
      message: expect.stringMatching(/TLS only.*LIBPROCESS_SSL_ENABLED/) as unknown,
    });
  });

  it('fails a task whose key file is not in the mounted certificates', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tls-empty-'));
    await tlsTask('no-key', sslEnv, empty)();
    const seen = await runToState(s, 'no-key', 'TASK_FAILED');
    expect(seen.at(-1)!.message).toMatch(/LIBPROCESS_SSL_CERT_FILE=\/certs\/mesos.crt does not exist/);
  });

  it('runs a task that carries the libprocess TLS settings', async () => {
    await tlsTask('tls-driver', sslEnv)();
    await runToState(s, 'tls-driver', 'TASK_FINISHED');
  });
});
