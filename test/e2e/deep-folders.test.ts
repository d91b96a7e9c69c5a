import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, createWorkspace, fakeJob, type Workspace } from './support/cli.js';

// The controller reads and watches manifests at most 8 folders deep. A manifest below that
// never runs, so nobody may be led to think it does: the controller says so, and validate agrees.

const deepPath = (levels: number, file: string) => `${Array.from({ length: levels }, (_, i) => `d${i}`).join('/')}/${file}`;

describe('manifests below the folder depth limit', () => {
  let ws: Workspace | undefined;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
    ws = undefined;
  });

  it('validate reports a manifest 9 folders deep as not read by the controller (exit 1), and one 8 deep as valid', async () => {
    ws = await createWorkspace();
    await ws.write(deepPath(8, 'ok.yaml'), fakeJob('ok', '  suspend: true\n'));
    await ws.write(deepPath(9, 'deep.yaml'), fakeJob('deep', '  suspend: true\n'));
    const res = await ws.run(['validate', ws.jobsDir]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/d7\/ok\.yaml: valid/);
    expect(res.stdout).toMatch(/d8\/deep\.yaml:1:1: .*more than 8 folders deep: the controller does not read manifests below that depth/);
    expect(res.stdout).toMatch(/2 manifests checked: 1 valid, 1 invalid/);
  });

  it('the controller names a manifest it will not read and the limit, once', async () => {
    ws = await createWorkspace();
    await ws.write(deepPath(9, 'deep.yaml'), fakeJob('deep', '  suspend: true\n'));
    await ws.write('top.yaml', fakeJob('top', '  suspend: true\n'));
    const controller = await ws.startController();
    await controller.waitFor(/Ignored a manifest more than 8 folders deep/, { stream: 'stderr' });
    expect(controller.stderr()).toMatch(/d8\/deep\.yaml/);
    // Several relists later it is still said only once.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(controller.stderr().match(/Ignored a manifest more than 8 folders deep/g)).toHaveLength(1);
    const get = await ws.run(['get', '-o', 'name']);
    expect(get.stdout).not.toMatch(/deep/);
  });
});
