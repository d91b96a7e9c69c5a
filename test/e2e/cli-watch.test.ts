import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const BROKEN = 'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: broken\n  labels: {team: geo}\nspec:\n  image: x\n';

const count = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;

describe('sparkctl get -w prints a job only when it changes', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('an invalid manifest is printed once (table and -o name), not on every poll', async () => {
    ws = await createWorkspace();
    await ws.write('broken.yaml', BROKEN);
    for (const args of [['get', '-w'], ['get', '-w', '-o', 'name'], ['get', '-w', '-o', 'json']]) {
      const w = ws.start(args);
      await w.waitFor(/broken/);
      // Two more files, one after the other: the watch has polled at least twice meanwhile.
      await ws.write(`first-${args.length}.yaml`, fakeJob(`first-${args.length}`));
      await w.waitFor(new RegExp(`first-${args.length}`));
      await ws.write(`second-${args.length}.yaml`, fakeJob(`second-${args.length}`));
      await w.waitFor(new RegExp(`second-${args.length}`));
      expect(count(w.stdout(), /broken/), w.stdout()).toBe(1);
      w.signal('SIGINT');
      expect(await w.exited()).toBe(0);
    }
  });

  it('get NAME -o yaml of an invalid manifest is the same on every run; the transition time is the file time', async () => {
    ws = await createWorkspace();
    await ws.write('broken.yaml', BROKEN);
    const a = await ws.run(['get', 'broken', '-o', 'yaml']);
    const b = await ws.run(['get', 'broken', '-o', 'yaml']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('phase: Invalid');
    expect(b.stdout).toBe(a.stdout);
  });
});
