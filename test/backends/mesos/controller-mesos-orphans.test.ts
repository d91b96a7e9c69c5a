import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { startMesosMaster } from '../../support/mesos-emulator/index.js';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../../support/controller-harness.js';
import { FRAMEWORK_STORE_FILE } from '../../../src/backends/mesos/framework-store.js';
import type { Backend } from '../../../src/backends/ports.js';
import { readJobEvents } from '../../../src/state/read-journal.js';
import { ensureFakeImage, testBackend } from './backend-harness.js';
import { mesosSpec, runOf } from './fixtures.js';

const policy = { allowHostNetwork: false, allowedHostPaths: [], allowedSecretEnv: ['MESOS_TEST_SECRET'] };
const io = () => ({ signal: AbortSignal.timeout(30_000) });

/** Polls until `get` returns something (bounded), for results that arrive in the background. */
async function eventually<T>(get: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await get();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('controller orphan reports on Mesos (emulated master, real Docker engine)', () => {
  let h: Harness | undefined;
  let master: MesosMaster | undefined;
  const backends: Backend[] = [];
  beforeAll(() => ensureFakeImage());
  afterEach(async () => {
    await h?.close();
    for (const b of backends.splice(0)) await b.close();
    await master?.close();
    h = undefined;
    master = undefined;
  });

  it("knows the journal's tasks after a restart, and reports a task that is not its job's current run as a Warning event", async () => {
    master = await startMesosMaster({
      agents: [{ cpus: 2, mem: 4096 }],
      heartbeatIntervalSeconds: 0.5,
      allocationIntervalSeconds: 0.2,
      statusUpdateRetrySeconds: 1,
    });
    const m = master;
    const masterUrl = `mesos://127.0.0.1:${m.port}`;
    // Every controller start gets a new Mesos backend, wired as main.ts wires it (the controller's hooks passed on).
    let logLines: string[] = [];
    const harness = await createHarness({
      policy,
      mesos: (hooks) => {
        const t = testBackend({ stateDir: join(harness.stateDir, 'mesos'), instance: harness.instance, ...hooks });
        backends.push(t.backend);
        logLines = t.logger.lines;
        return t.backend;
      },
    });
    h = harness;
    const file = join(harness.jobsDir, 'keep.yaml');
    await harness.write(
      'keep.yaml',
      fakeJob(
        'keep',
        `  master: ${masterUrl}\n  mode: cluster\n  mesos: {role: "*", principal: spark, secretRef: {env: MESOS_TEST_SECRET}}\n  sparkConf: {spark.fake.sleepSeconds: "60"}\n`,
      ),
    );
    await harness.start();
    const running = await waitForStatus(file, phaseIs('Running'), 40_000);
    const current = running.driver!.taskId!;
    await harness.controller.stop();
    for (const b of backends.splice(0)) await b.close();

    // While the controller is down, the same framework launches a task of job keep's attempt 9: not its current run.
    const other = testBackend({ stateDir: join(harness.stateDir, 'mesos'), instance: harness.instance });
    backends.push(other.backend);
    const stray = runOf(mesosSpec({ master: masterUrl, sparkConf: { 'spark.fake.sleepSeconds': '60' } }), 'keep', 9);
    const strayRef = await other.backend.start(stray, await other.backend.requestResources(stray, io()), io());
    await other.backend.close();
    // The framework store forgets both tasks: only the controller's journal still knows job keep's driver.
    const storeFile = join(harness.stateDir, 'mesos', FRAMEWORK_STORE_FILE);
    const stored = JSON.parse(await readFile(storeFile, 'utf8')) as { frameworks: Record<string, { tasks: object }> };
    for (const fw of Object.values(stored.frameworks)) fw.tasks = {};
    await writeFile(storeFile, JSON.stringify(stored));

    await harness.start();
    const orphaned = await eventually(async () => {
      const events = await readJobEvents(harness.stateDir, 'keep');
      const found = events.filter((e) => e.reason === 'Orphaned');
      return found.length > 0 ? found : undefined;
    }, 'an Orphaned event on job keep');
    expect(orphaned).toHaveLength(1);
    expect(orphaned[0]).toMatchObject({ type: 'Warning' });
    expect(orphaned[0]!.message).toContain(strayRef.taskId!);
    expect(orphaned[0]!.message).toContain('attempt 9');
    // Reconciliation told the session about the stray task, and never about the journal's task: knownTasks came from the journal.
    const unknown = (id: string) => logLines.some((l) => l.includes('nobody here knows') && l.includes(id));
    await eventually(() => (unknown(strayRef.taskId!) ? true : undefined), 'the unknown-task report of the stray task');
    expect(unknown(current)).toBe(false);
    // Both tasks are left running, and job keep goes on with its own driver.
    const stateOf = (id: string) => m.tasks().find((t) => t.id === id)?.state;
    expect(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING']).toContain(stateOf(strayRef.taskId!));
    expect(stateOf(current)).toBe('TASK_RUNNING');
    const after = await waitForStatus(file, phaseIs('Running'));
    expect(after.driver?.taskId).toBe(current);
    expect(after.executionAttempts).toBe(1);
  });
});
