import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { startMesosMaster } from '../../support/mesos-emulator/index.js';
import { fakeJob, phaseIs, waitForStatus } from '../../support/controller-harness.js';
import { callsOf, ensureFakeImage, SECRET } from './backend-harness.js';

const script = join(import.meta.dirname, 'mesos-controller-process.ts');

function startProcess(jobsDir: string, stateDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, jobsDir, stateDir, 'mesos-restart'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MESOS_TEST_SECRET: SECRET },
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`controller exited ${code}: ${err}`)));
  });
}

describe('controller kill -9 with a Mesos cluster-mode job', () => {
  const children: ChildProcess[] = [];
  let root: string | undefined;
  let master: MesosMaster | undefined;
  beforeAll(() => ensureFakeImage());
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await master?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a new controller fails over to the same framework, adopts the running task and finishes the job exactly once', async () => {
    master = await startMesosMaster({
      agents: [{ cpus: 2, mem: 4096 }],
      heartbeatIntervalSeconds: 0.5,
      allocationIntervalSeconds: 0.2,
      statusUpdateRetrySeconds: 1,
    });
    root = await mkdtemp(join(tmpdir(), 'sparkctl-mesos-restart-'));
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    await mkdir(jobsDir);
    const file = join(jobsDir, 'adopt.yaml');
    await writeFile(
      file,
      fakeJob(
        'adopt',
        `  master: mesos://127.0.0.1:${master.port}\n  mode: cluster\n  mesos: {role: "*", principal: spark, secretRef: {env: MESOS_TEST_SECRET}}\n  sparkConf: {spark.fake.sleepSeconds: "4"}\n`,
      ),
    );
    const first = await startProcess(jobsDir, stateDir);
    children.push(first);
    const running = await waitForStatus(file, phaseIs('Running'), 30_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(master.tasks()).toHaveLength(1);
    expect(['TASK_STARTING', 'TASK_RUNNING']).toContain(master.tasks()[0]!.state);

    const second = await startProcess(jobsDir, stateDir);
    children.push(second);
    const done = await waitForStatus(file, phaseIs('Succeeded', 'Failed'), 45_000);
    expect(done.phase).toBe('Succeeded');
    expect(done.executionAttempts).toBe(1);
    expect(done.driver?.taskId).toBe(running.driver?.taskId);
    expect(callsOf(master.calls(), 'ACCEPT')).toHaveLength(1);
    expect(master.tasks().map((t) => t.state)).toEqual(['TASK_FINISHED']);
    const ids = callsOf(master.calls(), 'SUBSCRIBE').map((c) => (c.framework_id as { value: string } | undefined)?.value);
    expect(ids[0]).toBeUndefined();
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids.slice(1))).toEqual(new Set([done.driver?.frameworkId]));
  });
});
