import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readJobRecord } from '../../src/state/read-journal.js';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

describe('a controller restart does not repeat history', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

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
    // The second controller restores both jobs, reconciles both files and exits once idle (its journal flushed).
    const second = await ws.run(['controller', '--exit-when-idle']);
    expect(second.code).toBe(0);
    expect(second.stderr.match(/Restored job from the journal/g)).toHaveLength(2);
    expect((await readJobRecord(ws.stateDir, 'bad'))?.status.phase).toBe('Failed');
    const after = await ws.run(['events']);
    const rows = (text: string) => text.split('\n').map((l) => l.replace(/^\S+\s+/, ''));
    expect(rows(after.stdout)).toEqual(rows(before.stdout));
    expect(before.stdout).toMatch(/Completed +sparkjob\/ok/);
    expect(before.stdout).toMatch(/Warning +\w+ +sparkjob\/bad/);
  });
});
