import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbandonedTasks } from '../../../src/backends/mesos/abandoned-tasks.js';
import { FrameworkStore } from '../../../src/backends/mesos/framework-store.js';
import type { TaskStatus } from '../../../src/backends/mesos/mesos-types.js';
import { memoryLogger } from './backend-harness.js';

const KEY = 'mesos://m:5050|';
const status = (state: string, extra: Partial<TaskStatus> = {}): TaskStatus =>
  ({ task_id: { value: 'sparkctl.j.1.abc' }, state, ...extra }) as TaskStatus;

function book() {
  const dir = mkdtempSync(path.join(tmpdir(), 'mesos-abandoned-'));
  const store = new FrameworkStore(dir);
  store.update(KEY, () => ({ master: 'mesos://m:5050', connection: {}, failoverTimeout: 1, roles: ['*'], tasks: {}, updatedAt: '' }));
  const kills: Array<[string, string | undefined]> = [];
  const rechecks: string[] = [];
  const make = () =>
    new AbandonedTasks({
      store: new FrameworkStore(dir),
      key: KEY,
      master: 'mesos://m:5050',
      log: memoryLogger(),
      recheckMs: 50,
      kill: async (t, a) => void kills.push([t, a]),
      reconcile: async (t) => void rechecks.push(t),
    });
  return { make, kills, rechecks, store };
}

describe('AbandonedTasks', () => {
  it('kills an abandoned task seen alive again (with the agent id of the status, else the stored one), also from a new instance over the same state dir', async () => {
    const { make, kills } = book();
    make().abandon('sparkctl.j.1.abc', 'S0', 'TASK_UNREACHABLE');
    const after = make();
    expect(after.has('sparkctl.j.1.abc')).toBe(true);
    expect(after.onStatus(status('TASK_UNREACHABLE'))).toBe(true);
    expect(kills).toEqual([]);
    expect(after.onStatus(status('TASK_RUNNING', { agent_id: { value: 'S9' }, reason: 'REASON_AGENT_REREGISTERED' }))).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(after.onStatus(status('TASK_RUNNING', { reason: 'REASON_RECONCILIATION' }))).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(kills).toEqual([
      ['sparkctl.j.1.abc', 'S9'],
      ['sparkctl.j.1.abc', 'S0'],
    ]);
  });

  it('forgets the task on a final state but keeps it through states it may return from', () => {
    const { make } = book();
    const b = make();
    b.abandon('sparkctl.j.1.abc', 'S0', 'TASK_UNREACHABLE');
    for (const s of ['TASK_UNKNOWN', 'TASK_LOST', 'TASK_GONE_BY_OPERATOR', 'TASK_KILLING']) b.onStatus(status(s));
    expect(make().has('sparkctl.j.1.abc')).toBe(true);
    b.onStatus(status('TASK_KILLED'));
    expect(make().has('sparkctl.j.1.abc')).toBe(false);
    expect(b.onStatus(status('TASK_RUNNING'))).toBe(false);
  });

  it('reconciles a killed task again when no final state followed the KILL, and not once it ended', async () => {
    const { make, rechecks } = book();
    const b = make();
    b.abandon('sparkctl.j.1.abc', 'S0', 'TASK_UNREACHABLE');
    b.onStatus(status('TASK_RUNNING'));
    await expect.poll(() => rechecks).toEqual(['sparkctl.j.1.abc']);
    b.onStatus(status('TASK_RUNNING'));
    b.onStatus(status('TASK_KILLED'));
    await new Promise((r) => setTimeout(r, 150));
    expect(rechecks).toEqual(['sparkctl.j.1.abc']);
  });
});
