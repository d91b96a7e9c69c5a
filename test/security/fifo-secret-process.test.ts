import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, startCli, type CliProcess } from '../e2e/support/cli.js';
import { ensureFakeImage } from '../backends/mesos/backend-harness.js';
import { fakeJob, phaseIs, waitForStatus } from '../support/controller-harness.js';
import { ensureTestImages, removeInstanceContainers } from '../support/docker.js';
import { startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';
import { instanceId } from '../../src/main.js';

/** A loopback port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The real program, in its own process: a blocked controller shows as a silent /healthz and an ignored SIGTERM.
describe('a FIFO named as the Mesos secret (cluster mode) never blocks the controller process', () => {
  let root: string;
  let master: MesosMaster | undefined;
  let controller: CliProcess | undefined;
  beforeAll(async () => {
    ensureBuilt();
    ensureFakeImage();
    await ensureTestImages();
    root = await mkdtemp(join(tmpdir(), 'sparkctl-fifo-'));
  });
  afterAll(async () => {
    if (controller && controller.child.exitCode === null) controller.child.kill('SIGKILL');
    await master?.close();
    await removeInstanceContainers(instanceId(join(root, 'state')));
    await rm(root, { recursive: true, force: true });
  });

  it('fails the job saying the file is not a regular file, keeps serving /healthz and running other jobs, and stops on SIGTERM', async () => {
    const jobs = join(root, 'jobs');
    const secrets = join(root, 'secrets');
    await mkdir(jobs);
    await mkdir(secrets);
    execFileSync('mkfifo', [join(secrets, 'mesos-secret')]);
    master = await startMesosMaster({ agents: [{ cpus: 2, mem: 4096 }], heartbeatIntervalSeconds: 0.5 });
    await writeFile(
      join(jobs, 'fifo.yaml'),
      fakeJob(
        'fifo',
        `  master: mesos://127.0.0.1:${master.port}\n  mode: cluster\n  mesos: {principal: spark, secretRef: {file: ${secrets}/mesos-secret}}\n  restartPolicy: {type: Never}\n`,
      ),
    );
    await writeFile(join(jobs, 'other.yaml'), fakeJob('other', '  network: host\n'));
    const port = await freePort();
    controller = startCli([
      '--jobs',
      jobs,
      '--state-dir',
      join(root, 'state'),
      'controller',
      '--metrics-addr',
      `127.0.0.1:${port}`,
      '--allow-host-network',
      '--allow-host-path',
      secrets,
    ]);

    const status = await waitForStatus(join(jobs, 'fifo.yaml'), phaseIs('Failed', 'Invalid'), 30_000);
    expect(status.message).toContain(`spec.mesos.secretRef.file: ${secrets}/mesos-secret is not a regular file`);
    expect((await waitForStatus(join(jobs, 'other.yaml'), phaseIs('Succeeded', 'Failed'), 30_000)).phase).toBe('Succeeded');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    expect(health.status).toBe(200);
    // The credential was refused before any session existed: the master never heard from this controller.
    expect(master.calls()).toEqual([]);
    controller.signal('SIGTERM');
    expect(await controller.exited(15_000)).toBe(0);
  });
});
