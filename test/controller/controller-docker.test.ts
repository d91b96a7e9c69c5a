import { readdir, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readAllJobRecords, readJobEvents } from '../../src/state/read-journal.js';
import { ensureTestImages, testDocker } from '../support/docker.js';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';

const managed = async (instance: string) =>
  testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${instance}`] } });

describe('controller on the real Docker engine', () => {
  let h: Harness | undefined;
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('runs a SparkPi-style job to Succeeded with status, log and outputs, and removes its container', async () => {
    h = await createHarness();
    await h.write(
      'pi.yaml',
      fakeJob('pi', `  sparkConf: {spark.fake.output: /tmp/result.txt}\n  outputs: [{name: result, path: /tmp/result.txt}]\n`),
    );
    await h.start();
    const file = join(h.jobsDir, 'pi.yaml');
    const status = await waitForStatus(file, phaseIs('Succeeded'));
    expect(status.exitCode).toBe(0);
    expect(status.executionAttempts).toBe(1);
    expect(status.conditions.find((c) => c.type === 'Succeeded')?.status).toBe('True');
    expect(status.results?.outputs[0]?.name).toBe('result');
    const text = await readFile(join(h.jobsDir, 'pi.yaml'), 'utf8');
    expect(text.startsWith('# a test job\napiVersion')).toBe(true);
    const log = await readFile(join(h.stateDir, 'jobs', 'pi', 'logs', 'attempt-1.log'), 'utf8');
    expect(log).toContain('Pi is roughly');
    const out = await readFile(status.results!.outputs[0]!.path, 'utf8');
    expect(out).toContain('Pi is roughly');
    const events = await readJobEvents(h.stateDir, 'pi');
    expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining(['Added', 'Completed']));
    expect(await managed(h.instance)).toHaveLength(0);
  });

  it('retries a job exiting 3 under OnFailure with growing delays, then fails; Never runs once', async () => {
    h = await createHarness();
    const policy = `  sparkConf: {spark.fake.exitCode: "3"}\n  restartPolicy: {type: OnFailure, onFailureRetries: 2, onFailureRetryInterval: 1}\n`;
    await h.write('flaky.yaml', fakeJob('flaky', policy));
    await h.write('once.yaml', fakeJob('once', `  sparkConf: {spark.fake.exitCode: "3"}\n`));
    await h.start();
    const once = await waitForStatus(join(h.jobsDir, 'once.yaml'), phaseIs('Failed'));
    expect(once.executionAttempts).toBe(1);
    expect(once.exitCode).toBe(3);
    const flaky = await waitForStatus(join(h.jobsDir, 'flaky.yaml'), phaseIs('Failed'), 45_000);
    expect(flaky.executionAttempts).toBe(3);
    expect(flaky.message).toContain('code 3');
    const events = await readJobEvents(h.stateDir, 'flaky');
    const retries = events.filter((e) => e.reason === 'DriverFailed' && e.type === 'Warning');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    // Beside each log may lie its arrival times (attempt-N.log.times).
    const logs = (await readdir(join(h.stateDir, 'jobs', 'flaky', 'logs'))).filter((f) => f.endsWith('.log'));
    expect(logs.sort()).toEqual(['attempt-1.log', 'attempt-2.log', 'attempt-3.log']);
  });

  it('stops and removes the container when the manifest is deleted mid-run', async () => {
    h = await createHarness();
    await h.write('long.yaml', fakeJob('long', `  sparkConf: {spark.fake.sleepSeconds: "60"}\n`));
    await h.start();
    await waitForStatus(join(h.jobsDir, 'long.yaml'), phaseIs('Running'));
    expect((await managed(h.instance)).filter((c) => c.State === 'running')).toHaveLength(1);
    await unlink(join(h.jobsDir, 'long.yaml'));
    const deadline = Date.now() + 20_000;
    while ((await managed(h.instance)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await managed(h.instance)).toHaveLength(0);
  });

  it('suspend releases the driver, resume starts a new attempt; a spec edit reruns with the new spec', async () => {
    h = await createHarness();
    const file = join(h.jobsDir, 'sus.yaml');
    await h.write('sus.yaml', fakeJob('sus', `  sparkConf: {spark.fake.sleepSeconds: "60"}\n`));
    await h.start();
    await waitForStatus(file, phaseIs('Running'));
    await h.write('sus.yaml', fakeJob('sus', `  sparkConf: {spark.fake.sleepSeconds: "60"}\n  suspend: true\n`));
    await waitForStatus(file, phaseIs('Suspended'));
    expect(await managed(h.instance)).toHaveLength(0);
    await h.write('sus.yaml', fakeJob('sus', `  sparkConf: {spark.fake.sleepSeconds: "60"}\n`));
    await waitForStatus(file, phaseIs('Running'));
    const [c] = await managed(h.instance);
    expect(c?.Labels['io.sparkctl.attempt']).toBe('2');
    await h.write('sus.yaml', fakeJob('sus', `  sparkConf: {spark.fake.sleepSeconds: "0"}\n`));
    const done = await waitForStatus(file, phaseIs('Succeeded'));
    const records = await readAllJobRecords(h.stateDir);
    expect(records[0]?.status.observedSpecHash).toBe(done.observedSpecHash);
    expect(await managed(h.instance)).toHaveLength(0);
  });

  it('fails and releases a job past activeDeadlineSeconds', async () => {
    h = await createHarness();
    await h.write('slow.yaml', fakeJob('slow', `  sparkConf: {spark.fake.sleepSeconds: "60"}\n  activeDeadlineSeconds: 2\n`));
    await h.start();
    const s = await waitForStatus(join(h.jobsDir, 'slow.yaml'), phaseIs('Failed'));
    expect(s.conditions.find((c) => c.type === 'Succeeded')?.reason).toBe('ActiveDeadlineExceeded');
    expect(await managed(h.instance)).toHaveLength(0);
  });

  it('queues jobs when the host is full and never overcommits', async () => {
    h = await createHarness({ capacity: { cpus: 2, memMiB: 100_000 } });
    for (let i = 0; i < 10; i++) {
      await h.write(`q${i}.yaml`, fakeJob(`q${i}`, `  sparkConf: {spark.fake.sleepSeconds: "1"}\n`).replace('cores: 0.5', 'cores: 1'));
    }
    await h.start();
    let maxRunning = 0;
    const watch = setInterval(() => {
      void managed(h!.instance).then((cs) => {
        maxRunning = Math.max(maxRunning, cs.filter((c) => c.State === 'running').length);
      });
    }, 100);
    try {
      for (let i = 0; i < 10; i++) await waitForStatus(join(h.jobsDir, `q${i}.yaml`), phaseIs('Succeeded'), 60_000);
    } finally {
      clearInterval(watch);
    }
    expect(maxRunning).toBeGreaterThan(0);
    expect(maxRunning).toBeLessThanOrEqual(2);
  });

  it('a second controller on the same jobs folder refuses to start', async () => {
    h = await createHarness();
    await h.start();
    const { Controller } = await import('../../src/controller/controller.js');
    const { silentLogger } = await import('../../src/logger.js');
    const second = new Controller({
      jobsDir: h.jobsDir,
      stateDir: h.stateDir,
      logger: silentLogger(),
      backends: { docker: h.docker, mesos: () => h!.docker },
    });
    await expect(second.start()).rejects.toThrow(/another controller/);
  });

  it('an invalid manifest gets an Invalid status naming the field, and other jobs carry on', async () => {
    h = await createHarness();
    await h.write('bad.yaml', fakeJob('bad').replace('memory: 64m', 'memory: lots'));
    await h.write('good.yaml', fakeJob('good'));
    await h.start();
    const bad = await waitForStatus(join(h.jobsDir, 'bad.yaml'), phaseIs('Invalid'));
    expect(bad.message).toContain('spec.driver.memory');
    await waitForStatus(join(h.jobsDir, 'good.yaml'), phaseIs('Succeeded'));
  });

  it('forgets logs, outputs and events timeToLiveSeconds after completion', async () => {
    h = await createHarness();
    await h.write('ttl.yaml', fakeJob('ttl', `  timeToLiveSeconds: 1\n`));
    await h.start();
    const file = join(h.jobsDir, 'ttl.yaml');
    await waitForStatus(file, phaseIs('Succeeded'));
    const logs = join(h.stateDir, 'jobs', 'ttl', 'logs');
    expect((await readdir(logs)).filter((f) => f.endsWith('.log'))).toEqual(['attempt-1.log']);
    const s = await waitForStatus(file, (st) => st.message?.includes('forgotten') === true, 10_000);
    expect(s.phase).toBe('Succeeded');
    await expect(readdir(logs)).rejects.toThrow(/ENOENT/);
  });

  it('follows a jobs folder that is a link flipped to a new folder, and sees edits there without a relist', async () => {
    h = await createHarness({ relistIntervalMs: 600_000 });
    const { mkdir, rename, symlink, writeFile } = await import('node:fs/promises');
    const revA = join(h.jobsDir, '..', 'rev-a');
    const revB = join(h.jobsDir, '..', 'rev-b');
    await mkdir(revA);
    await mkdir(revB);
    await rm(h.jobsDir, { recursive: true });
    await symlink(revA, h.jobsDir);
    await writeFile(join(revA, 'a.yaml'), fakeJob('a'));
    const c = await h.start();
    await waitForStatus(join(h.jobsDir, 'a.yaml'), phaseIs('Succeeded'));
    await writeFile(join(revB, 'a.yaml'), fakeJob('a'));
    await symlink(revB, join(h.jobsDir, '..', 'tmp-link'));
    await rename(join(h.jobsDir, '..', 'tmp-link'), h.jobsDir);
    await c.relist();
    await waitForStatus(join(revB, 'a.yaml'), phaseIs('Succeeded'));
    await writeFile(join(revB, 'b.yaml'), fakeJob('b'));
    await waitForStatus(join(revB, 'b.yaml'), phaseIs('Succeeded'), 15_000);
  });
});
