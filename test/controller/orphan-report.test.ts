import { describe, expect, it } from 'vitest';
import type { DriverRef } from '../../src/api/status.js';
import type { Backend, OwnedDriver } from '../../src/backends/ports.js';
import type { JobRegistry } from '../../src/controller/job-registry.js';
import { OrphanReport } from '../../src/controller/orphan-report.js';
import { createLogger } from '../../src/logger.js';
import { testJob } from '../machines/fake-actors.js';

/** A registry holding jobs at an attempt with a driver, recording the events asked for. */
function fakeRegistry(jobs: Record<string, { attempt: number; master: string; mode: 'client' | 'cluster'; driver?: DriverRef }>) {
  const events: Array<{ name: string; type: string; reason: string; message: string }> = [];
  const entry = (name: string) => {
    const j = jobs[name];
    if (!j) return undefined;
    const spec = { ...testJob().spec, master: j.master, mode: j.mode };
    return { name, actor: { getSnapshot: () => ({ context: { attempt: j.attempt, spec, driver: j.driver } }) } };
  };
  const registry = {
    get: entry,
    all: () => Object.keys(jobs).map((n) => entry(n)!),
    event: (name: string, type: string, reason: string, message: string) => {
      events.push({ name, type, reason, message });
      return Promise.resolve();
    },
  } as unknown as JobRegistry;
  return { registry, events };
}

function memoryLog() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ pretty: false, level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  return { logger, lines };
}

const docker = (job: string, attempt: number): OwnedDriver => ({
  ref: { backend: 'docker', containerName: `sparkctl-${job}-${attempt}` },
  job,
  attempt,
  specHash: 'h',
  running: true,
});

describe('OrphanReport', () => {
  it("adopts a job's current driver, reports another attempt's once (Warning event), and only logs a driver of an unknown job", async () => {
    const { registry, events } = fakeRegistry({ keep: { attempt: 2, master: 'local[1]', mode: 'client' } });
    const { logger, lines } = memoryLog();
    const report = new OrphanReport(() => registry, logger);
    const backend = { listDrivers: () => Promise.resolve([docker('keep', 2), docker('keep', 1), docker('gone', 1)]) } as unknown as Backend;
    await report.check(backend);
    report.found(docker('keep', 1));
    expect(events).toEqual([
      {
        name: 'keep',
        type: 'Warning',
        reason: 'Orphaned',
        message: "driver sparkctl-keep-1 (attempt 1) is not the job's current run; it was left running",
      },
    ]);
    const said = lines.map((l) => `${String(l.msg)} ${String(l.job)}/${String(l.attempt)}`);
    expect(said).toContain('Adopted running driver keep/2');
    expect(said.filter((s) => s.startsWith('Found a driver no job owns'))).toEqual([
      'Found a driver no job owns; left it alone keep/1',
      'Found a driver no job owns; left it alone gone/1',
    ]);
  });

  it("gives the Mesos backend the journal's Mesos tasks and reports its unknown tasks as orphans", () => {
    const { registry, events } = fakeRegistry({
      m: {
        attempt: 3,
        master: 'mesos://127.0.0.1:5050',
        mode: 'cluster',
        driver: { backend: 'mesos', taskId: 'sparkctl.m.3.abc', agentId: 'S1' },
      },
      waiting: { attempt: 1, master: 'mesos://127.0.0.1:5050', mode: 'cluster' },
      d: { attempt: 1, master: 'local[1]', mode: 'client', driver: { backend: 'docker', containerName: 'sparkctl-d-1' } },
    });
    const report = new OrphanReport(() => registry, memoryLog().logger);
    expect(report.mesosHooks.knownTasks()).toEqual([{ master: 'mesos://127.0.0.1:5050', taskId: 'sparkctl.m.3.abc', agentId: 'S1' }]);
    const unknown = { master: 'mesos://127.0.0.1:5050', frameworkId: 'F', state: 'TASK_RUNNING', shortHash: 'abc' };
    report.mesosHooks.onUnknownTask({ ...unknown, taskId: 'sparkctl.m.3.abc', job: 'm', attempt: 3 });
    report.mesosHooks.onUnknownTask({ ...unknown, taskId: 'sparkctl.m.2.abc', job: 'm', attempt: 2 });
    expect(events).toEqual([
      {
        name: 'm',
        type: 'Warning',
        reason: 'Orphaned',
        message: "driver sparkctl.m.2.abc (attempt 2) is not the job's current run; it was left running",
      },
    ]);
  });
});
