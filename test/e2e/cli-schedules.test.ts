import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, type Workspace } from './support/cli.js';
import { ensureTestImages } from '../support/docker.js';

/** A schedule on the fake Spark image; suspended so that only `trigger` starts runs (the test decides when). */
function schedule(name: string, extra = ''): string {
  return `apiVersion: sparkctl.io/v1alpha1
kind: ScheduledSparkJob
metadata:
  name: ${name}
  labels: {team: geo}
spec:
  schedule: "0 2 * * *"
  timeZone: Europe/Berlin
  suspend: true
${extra}  template:
    image: sparkctl/spark-fake:test
    imagePullPolicy: Never
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
    mainClass: org.apache.spark.examples.SparkPi
    driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}
`;
}

describe('sparkctl get, describe, trigger, logs, wait and rerun with schedules', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ensureBuilt();
    await ensureTestImages();
  });
  afterEach(async () => {
    await ws?.close();
  });

  it('trigger starts a run that the other verbs accept by name; get NAME lists the runs; rerun of a run goes to the controller', async () => {
    ws = await createWorkspace();
    const file = await ws.write('nightly.yaml', schedule('nightly'));
    await ws.startController();
    const trigger = await ws.run(['trigger', 'nightly']);
    expect(trigger.stderr).toBe('');
    expect(trigger.code).toBe(0);
    const run = /run (nightly-[0-9]{10})$/m.exec(trigger.stdout)?.[1];
    expect(run).toBeDefined();
    expect((await ws.run(['wait', run!, '--for', 'condition=Succeeded', '--timeout', '45s'])).code).toBe(0);
    expect((await ws.run(['logs', run!])).stdout).toContain('Pi is roughly');
    expect((await ws.run(['events', 'nightly'])).stdout).toContain(`started run ${run}`);

    const list = await ws.run(['get']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^SCHEDULE NAME +SCHEDULE +TIMEZONE +SUSPEND +ACTIVE +LAST SCHEDULE +NEXT +AGE$/m);
    expect(list.stdout).toMatch(/^nightly +0 2 \* \* \* +Europe\/Berlin +true +0 +<none> +<none> /m);
    const one = await ws.run(['get', 'nightly']);
    expect(one.stdout).toContain('Runs of nightly:');
    expect(one.stdout).toMatch(new RegExp(`^${run} +Succeeded +1 `, 'm'));
    expect((await ws.run(['get', '-o', 'name'])).stdout).toBe('scheduledsparkjob/nightly\n');
    const yaml = await ws.run(['get', 'nightly', '-o', 'yaml']);
    expect(yaml.stdout).toContain('kind: ScheduledSparkJob');
    expect(yaml.stdout).toContain(`- name: ${run}`);

    const described = await ws.run(['describe', 'nightly']);
    expect(described.stdout).toMatch(/^Schedule: +0 2 \* \* \* \(Europe\/Berlin\)$/m);
    expect(described.stdout).toMatch(/^ {2}Next Times: +<none: suspended>$/m);
    expect(described.stdout).toMatch(new RegExp(`^ {2}${run} +Succeeded `, 'm'));
    expect((await ws.run(['describe', run!])).stdout).toContain('<none: a run of schedule nightly>');

    const rerun = await ws.run(['rerun', run!]);
    expect(rerun.stderr).toBe('');
    expect(rerun.stdout).toBe(`sparkjob/${run} rerun requested\n`);
    const deadline = Date.now() + 45_000;
    let attempts = '';
    const secondDone = /Completed +2 +Driver completed with exit code 0/;
    while (Date.now() < deadline && !secondDone.test(attempts)) {
      attempts = (await ws.run(['events', run!])).stdout;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(attempts).toMatch(secondDone);

    // resume edits the schedule's manifest; the schedule's status is in the file.
    expect((await ws.run(['resume', 'nightly'])).stdout).toBe('scheduledsparkjob/nightly resumed\n');
    expect(await readFile(file, 'utf8')).toMatch(/^ {2}suspend: false$/m);
    const refused = await ws.run(['rerun', 'nightly']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('sparkctl trigger nightly starts a run of it now');

    // A run has no manifest to delete; deleting the schedule removes its manifest and the controller releases the runs.
    const runDelete = await ws.run(['delete', run!]);
    expect(runDelete.code).toBe(1);
    expect(runDelete.stderr).toContain(`${run} is a run of schedule nightly and has no manifest`);
    const deleted = await ws.run(['delete', 'nightly']);
    expect(deleted.stdout).toBe('scheduledsparkjob/nightly deleted; the controller releases its runs\n');
    const gone = Date.now() + 30_000;
    let left = '';
    do {
      left = (await ws.run(['get', run!])).stderr;
      if (!left.includes('not found')) await new Promise((r) => setTimeout(r, 200));
    } while (!left.includes('not found') && Date.now() < gone);
    expect(left).toContain(`SparkJob "${run}" not found`);
  });

  it('trigger says what to do without a controller, and names a close schedule for a typo', async () => {
    ws = await createWorkspace();
    const completion = await ws.run(['completion', 'bash']);
    expect(completion.stdout).toMatch(/\btrigger\b/);
    await ws.write('nightly.yaml', schedule('nightly'));
    const none = await ws.run(['trigger', 'nightly']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no controller is running for');
    expect(none.stderr).toContain('controller');
    const typo = await ws.run(['trigger', 'nigthly']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('ScheduledSparkJob "nigthly" not found');
    expect(typo.stderr).toContain('did you mean "nightly"?');
  });
});
