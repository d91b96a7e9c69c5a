import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readJobRecord } from '../../src/state/read-journal.js';
import { pause } from '../../src/cli/interrupt.js';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

describe('a controller restart does not repeat history', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  /** Resolves once the job's journal record is saved again after `before` (the restored job's first projection). */
  async function recordSavedAfter(name: string, before: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while ((await readJobRecord(ws.stateDir, name))?.updatedAt === before) {
      if (Date.now() > deadline) throw new Error(`the record of ${name} was not saved again after the restart`);
      await pause(50);
    }
  }

  it('events of finished jobs are the same after a restart: no new Completed or DriverFailed', async () => {
    ws = await createWorkspace();
    await ws.write('ok.yaml', fakeJob('ok'));
    await ws.write(
      'bad.yaml',
      fakeJob(
        'bad',
        '  restartPolicy: {type: Never}\n  driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m, env: [{name: SPARK_FAKE_EXIT_CODE, value: "3"}]}\n',
      ).replace('  driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}\n', ''),
    );
    const first = await ws.startController();
    expect((await ws.run(['wait', 'ok', '--for', 'phase=Succeeded', '--timeout', '45s'])).code).toBe(0);
    expect((await ws.run(['wait', 'bad', '--for', 'phase=Failed', '--timeout', '45s'])).code).toBe(0);
    first.signal('SIGTERM');
    expect(await first.exited()).toBe(0);
    const before = await ws.run(['events']);
    const saved = await Promise.all(['ok', 'bad'].map(async (n) => (await readJobRecord(ws.stateDir, n))!.updatedAt));
    const second = await ws.startController();
    await second.waitFor(/Restored job from the journal/, { stream: 'stderr' });
    await Promise.all(['ok', 'bad'].map((n, i) => recordSavedAfter(n, saved[i]!)));
    const after = await ws.run(['events']);
    const rows = (text: string) => text.split('\n').map((l) => l.replace(/^\S+\s+/, ''));
    expect(rows(after.stdout)).toEqual(rows(before.stdout));
    expect(before.stdout).toMatch(/Completed +sparkjob\/ok/);
    expect(before.stdout).toMatch(/Warning +\w+ +sparkjob\/bad/);
  });
});
