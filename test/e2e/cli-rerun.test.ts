import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

describe('sparkctl rerun never is a silent no-op', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('rerun of a running job is refused (exit 1) with the reason, and the manifest is left alone', async () => {
    ws = await createWorkspace();
    const text = fakeJob('long', '  sparkConf: {spark.fake.sleepSeconds: "60"}\n');
    const file = await ws.write('long.yaml', text);
    await ws.startController();
    expect((await ws.run(['wait', 'long', '--for', 'phase=Running', '--timeout', '45s'])).code).toBe(0);
    const r = await ws.run(['rerun', 'long']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Error: cannot rerun SparkJob "long": it is Running (attempt 1): a run is under way');
    expect(r.stderr).toContain('sparkctl wait long --for condition=Succeeded');
    // The controller writes status back into the file; the rerun annotation was not added.
    expect(await readFile(file, 'utf8')).not.toContain('requestedAt');
  });

  it('rerun of a suspended or invalid job is refused and says what to do instead', async () => {
    ws = await createWorkspace();
    await ws.write('held.yaml', fakeJob('held', '  suspend: true\n'));
    await ws.write('bad.yaml', 'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: bad\nspec:\n  image: x\n');
    const held = await ws.run(['rerun', 'held']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('it is suspended: resume it (sparkctl resume held) to run it');
    const bad = await ws.run(['rerun', 'bad']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('it is Invalid: fix its manifest');
  });
});
