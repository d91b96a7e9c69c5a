import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const invalid = (name: string) =>
  `apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: ${name}\n  labels: {team: geo}\nspec:\n  image: x\n`;

describe('sparkctl wait --for delete, jsonpath and --timeout=-1s', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('--for=delete with --timeout=-1s waits (past any default) until the job is gone; a job already gone is met at once', async () => {
    ws = await createWorkspace();
    await ws.write('a.yaml', fakeJob('a'));
    const w = ws.start(['wait', 'a', '--for=delete', '--timeout=-1s']);
    // The waiter is running and has not given up: a whole other CLI run happens meanwhile.
    expect((await ws.run(['get', 'a', '-o', 'name'])).stdout).toBe('sparkjob/a\n');
    expect(w.child.exitCode).toBeNull();
    await rm(join(ws.jobsDir, 'a.yaml'));
    expect(await w.exited()).toBe(0);
    expect(w.stdout()).toBe('sparkjob/a deleted\n');
    const gone = await ws.run(['wait', 'a', '--for', 'delete']);
    expect(gone.code).toBe(0);
    expect(gone.stdout).toBe('sparkjob/a deleted\n');
  });

  it('--for=jsonpath compares a field of the job as get -o json prints it; a bad path is a usage error', async () => {
    ws = await createWorkspace();
    await ws.write('x.yaml', invalid('x'));
    const met = await ws.run(['wait', 'x', "--for=jsonpath='{.status.phase}'=Invalid", '--timeout', '5s']);
    expect(met.code).toBe(0);
    expect(met.stdout).toBe('sparkjob/x jsonpath={.status.phase}=Invalid met\n');
    const label = await ws.run(['wait', 'x', '--for', 'jsonpath={.metadata.labels.team}=geo', '--timeout', '5s']);
    expect(label.code).toBe(0);
    const cond = await ws.run([
      'wait',
      'x',
      '--for',
      'jsonpath={.status.conditions[?(@.type=="Stalled")].reason}=InvalidSpec',
      '--timeout',
      '5s',
    ]);
    expect(cond.code).toBe(0);
    const never = await ws.run(['wait', 'x', '--for', 'jsonpath={.status.phase}=Succeeded', '--timeout', '5s']);
    expect(never.code).toBe(1);
    expect(never.stderr).toContain('can never be met');
    const bad = await ws.run(['wait', 'x', '--for', 'jsonpath={.status.phase', '--timeout', '5s']);
    expect(bad.code).toBe(2);
  });

  it('waits for a condition with --timeout=-1s on a job the controller runs', async () => {
    ws = await createWorkspace();
    await ws.write('quick.yaml', fakeJob('quick'));
    await ws.startController();
    const r = await ws.run([
      'wait',
      'quick',
      '--for',
      'jsonpath={.status.conditions[?(@.type=="Succeeded")].status}=True',
      '--timeout=-1s',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sparkjob/quick jsonpath=');
  });
});
