import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const STATUS =
  'status:\n  phase: Succeeded\n  conditions: []\n  submissionAttempts: 1\n  executionAttempts: 1\n  message: Driver completed with exit code 0\n';

describe('sparkctl finds its state and tells which it uses', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('without a journal record a job shows the status: its manifest carries, and the warning names the state dir', async () => {
    ws = await createWorkspace();
    await ws.write('pi.yaml', fakeJob('pi') + STATUS);
    await ws.write('new.yaml', fakeJob('new'));
    const r = await ws.run(['get']);
    expect(r.stdout).toMatch(/^pi +Succeeded +\S+ +\S+ +Driver completed with exit code 0$/m);
    expect(r.stdout).toMatch(/^new +Pending /m);
    expect(r.stderr).toContain(`(state dir ${ws.stateDir})`);
  });

  it('a controller of this jobs folder running with another state dir under the default root is named, with the flag to pass', async () => {
    ws = await createWorkspace();
    await ws.write('held.yaml', fakeJob('held', '  suspend: true\n'));
    const xdg = join(ws.root, 'xdg');
    const custom = join(xdg, 'sparkctl', 'elsewhere');
    const controller = ws.start(['--state-dir', custom, 'controller', '--relist-interval', '1s'], { env: { XDG_STATE_HOME: xdg } });
    await controller.waitFor(/Started controller/, { stream: 'stderr' });
    // The CLI without --state-dir: the derived state dir under the same root has no controller.
    const r = await ws.run(['--state-dir', join(xdg, 'sparkctl', 'derived'), 'get'], { env: { XDG_STATE_HOME: xdg } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: a controller (pid ${controller.child.pid}) runs for ${ws.jobsDir} with state dir ${custom}: pass --state-dir ${custom}`,
    );
  });

  it('two files with one metadata.name show which file each row is', async () => {
    ws = await createWorkspace();
    await ws.write('a.yaml', fakeJob('pi'));
    await ws.write('b.yaml', fakeJob('pi'));
    const r = await ws.run(['get']);
    expect(r.stdout).toMatch(/^pi \(a\.yaml\) +Pending/m);
    expect(r.stdout).toMatch(/^pi \(b\.yaml\) +Invalid .*already used by a\.yaml/m);
  });
});
