import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, type Workspace } from './support/cli.js';

/** A schedule manifest; `status` is what the controller would have written back (YAML lines under status:). */
function schedule(name: string, status = ''): string {
  return `apiVersion: sparkctl.io/v1alpha1
kind: ScheduledSparkJob
metadata:
  name: ${name}
spec:
  schedule: "0 2 * * *"
  template:
    image: sparkctl/spark-fake:test
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
    mainClass: org.apache.spark.examples.SparkPi
${status ? `status:\n${status}` : ''}`;
}

describe('sparkctl wait on a ScheduledSparkJob', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('a condition on a schedule is a usage error (exit 2) naming its active runs, or trigger when it has none', async () => {
    ws = await createWorkspace();
    await ws.write('nightly.yaml', schedule('nightly', '  active: [nightly-1764554400]\n  history: []\n  missedRuns: 0\n'));
    await ws.write('weekly.yaml', schedule('weekly'));
    const active = await ws.run(['wait', 'nightly', '--for', 'condition=Succeeded']);
    expect(active.code).toBe(2);
    expect(active.stdout).toBe('');
    expect(active.stderr).toContain(
      'Error: nightly is a ScheduledSparkJob: wait applies to jobs and runs; its active run: nightly-1764554400 (sparkctl wait nightly-1764554400 --for condition=Succeeded)',
    );
    expect(active.stderr).toContain('--for=delete only');
    const idle = await ws.run(['wait', 'weekly', '--for', 'phase=Succeeded', '--timeout', '0']);
    expect(idle.code).toBe(2);
    expect(idle.stderr).toContain('weekly is a ScheduledSparkJob: wait applies to jobs and runs, and it has no active run');
    expect(idle.stderr).toContain('sparkctl trigger weekly');
  });

  it('--for=delete waits until the schedule is gone', async () => {
    ws = await createWorkspace();
    await ws.write('nightly.yaml', schedule('nightly'));
    const w = ws.start(['wait', 'nightly', '--for=delete', '--timeout=-1s']);
    // The wait must have read the folder before the file goes (a name already gone at its first read has no kind
    // left to name): its warning comes right before that read, then its first read and poll take well under a second.
    await w.waitFor(/no controller is running/, { stream: 'stderr' });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await ws.run(['get', 'nightly', '-o', 'name'])).stdout).toBe('scheduledsparkjob/nightly\n');
    expect(w.child.exitCode).toBeNull();
    await rm(join(ws.jobsDir, 'nightly.yaml'));
    expect(await w.exited()).toBe(0);
    expect(w.stdout()).toBe('scheduledsparkjob/nightly deleted\n');
    // Gone already (manifest removed, no record): met at once.
    const again = await ws.run(['wait', 'nightly', '--for=delete', '--timeout', '0']);
    expect(again.code).toBe(0);
  });

  it('--for=delete on a schedule still there times out with exit 1 naming it', async () => {
    ws = await createWorkspace();
    await ws.write('nightly.yaml', schedule('nightly'));
    const r = await ws.run(['wait', 'nightly', '--for=delete', '--timeout', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('timed out after 0 waiting for delete on ScheduledSparkJob "nightly"');
  });
});
