import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readJobEvents } from '../../src/state/read-journal.js';
import { ensureTestImages, removeInstanceContainers, testDocker, uniqueId } from '../support/docker.js';
import { fakeJob, phaseIs, waitForStatus } from '../support/controller-harness.js';

const script = join(import.meta.dirname, '..', 'support', 'controller-process.ts');

function startProcess(jobsDir: string, stateDir: string, instance: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, jobsDir, stateDir, instance], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`controller exited ${code}: ${err}`)));
  });
}

const containers = (instance: string) =>
  testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${instance}`] } });

describe('controller restart safety', () => {
  const children: ChildProcess[] = [];
  let root: string | undefined;
  let instance: string | undefined;
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    if (instance) await removeInstanceContainers(instance);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('after kill -9 mid-run, a new controller adopts the running container instead of starting another', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-restart-'));
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    await mkdir(jobsDir);
    instance = uniqueId('r');
    await writeFile(join(jobsDir, 'adopt.yaml'), fakeJob('adopt', `  sparkConf: {spark.fake.sleepSeconds: "4"}\n`));
    const first = await startProcess(jobsDir, stateDir, instance);
    children.push(first);
    await waitForStatus(join(jobsDir, 'adopt.yaml'), phaseIs('Running'));
    const before = await containers(instance);
    expect(before).toHaveLength(1);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    // The driver keeps running while no controller is up.
    expect((await containers(instance))[0]?.State).toBe('running');
    const second = await startProcess(jobsDir, stateDir, instance);
    children.push(second);
    const status = await waitForStatus(join(jobsDir, 'adopt.yaml'), phaseIs('Succeeded'), 30_000);
    expect(status.executionAttempts).toBe(1);
    expect(status.driver?.containerId).toBe(before[0]?.Id);
    expect(await containers(instance)).toHaveLength(0);
    const events = await readJobEvents(stateDir, 'adopt');
    expect(events.filter((e) => e.reason === 'Running')).toHaveLength(1);
  });

  it('on SIGTERM leaves the running driver running; the next start finishes the job', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-restart-'));
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    await mkdir(jobsDir);
    instance = uniqueId('r');
    await writeFile(join(jobsDir, 'graceful.yaml'), fakeJob('graceful', `  sparkConf: {spark.fake.sleepSeconds: "3"}\n`));
    const first = await startProcess(jobsDir, stateDir, instance);
    children.push(first);
    await waitForStatus(join(jobsDir, 'graceful.yaml'), phaseIs('Running'));
    first.kill('SIGTERM');
    const code = await new Promise((r) => first.once('exit', r));
    expect(code).toBe(0);
    expect((await containers(instance))[0]?.State).toBe('running');
    children.push(await startProcess(jobsDir, stateDir, instance));
    const status = await waitForStatus(join(jobsDir, 'graceful.yaml'), phaseIs('Succeeded'), 30_000);
    expect(status.executionAttempts).toBe(1);
  });
});
