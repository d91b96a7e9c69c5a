import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../src/controller/controller.js';
import { createLogger } from '../../src/logger.js';
import { fakeJob, idleBackend, phaseIs, readFileStatus, waitForStatus } from '../support/controller-harness.js';

const backend = idleBackend('a suspended job');

const schedule = (name: string) => `apiVersion: sparkctl.io/v1alpha1
kind: ScheduledSparkJob
metadata:
  name: ${name}
spec:
  schedule: "0 3 * * *"
  suspend: true
  template:
    image: sparkctl/spark-fake:test
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
    mainClass: org.apache.spark.examples.SparkPi
`;

describe('a manifest refused for a name held elsewhere takes the name once it is freed', () => {
  let root: string | undefined;
  let controller: Controller | undefined;
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  async function start(files: Record<string, string>): Promise<string> {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-freed-'));
    const jobsDir = join(root, 'jobs');
    await mkdir(jobsDir);
    // Written before the start, in this order: the first file of a name holds it.
    for (const [file, text] of Object.entries(files)) await writeFile(join(jobsDir, file), text);
    controller = new Controller({
      jobsDir,
      stateDir: join(root, 'state'),
      workers: 1,
      logger: createLogger({ level: 'silent' }),
      // No relist during the test: only the freed name may bring the refused file back.
      relistIntervalMs: 3_600_000,
      missingGraceMs: 0,
      backends: { docker: backend, mesos: () => backend },
    });
    await controller.start();
    await controller.whenIdle();
    return jobsDir;
  }

  it('a second SparkJob of the same name becomes the job when the first file is deleted', async () => {
    const jobsDir = await start({ 'a.yaml': fakeJob('dup', '  suspend: true\n'), 'b.yaml': fakeJob('dup', '  suspend: true\n') });
    const [a, b] = [join(jobsDir, 'a.yaml'), join(jobsDir, 'b.yaml')];
    const statuses = [await readFileStatus(a), await readFileStatus(b)];
    const refused = statuses.find((s) => s?.phase === 'Invalid');
    expect(statuses.map((s) => s?.phase).sort()).toEqual(['Invalid', 'Suspended']);
    expect(refused?.message).toMatch(/dup/);
    const [holder, waiter] = statuses[0]?.phase === 'Suspended' ? [a, b] : [b, a];
    await unlink(holder);
    expect((await waitForStatus(waiter, phaseIs('Suspended'), 20_000)).phase).toBe('Suspended');
  });

  it('a SparkJob refused for the name of a schedule becomes the job when the schedule file is deleted', async () => {
    const jobsDir = await start({ 's.yaml': schedule('nightly') });
    const j = join(jobsDir, 'j.yaml');
    await writeFile(j, fakeJob('nightly', '  suspend: true\n'));
    expect((await waitForStatus(j, phaseIs('Invalid'), 20_000)).message).toMatch(/nightly/);
    await unlink(join(jobsDir, 's.yaml'));
    expect((await waitForStatus(j, phaseIs('Suspended'), 20_000)).phase).toBe('Suspended');
  });
});
