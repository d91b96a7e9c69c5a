import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

/** A ScheduledSparkJob; `extra` lines go under spec (before the template), `env` into the template's driver. */
function schedule(name: string, extra = '', env = ''): string {
  return `# ${name}: a test schedule
apiVersion: sparkctl.io/v1alpha1
kind: ScheduledSparkJob
metadata:
  name: ${name}
spec:
  schedule: "0 2 * * *"
${extra}  template:
    image: sparkctl/spark-fake:test
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
    mainClass: org.apache.spark.examples.SparkPi
    driver: {cores: 0.5, memory: 64m${env}}
`;
}

const withToken = (name: string, token: string, extra = '') =>
  schedule(name, extra, `, env: [{name: TOKEN, value: ${token}, secret: true}]`);

describe('sparkctl apply, diff and validate with ScheduledSparkJobs', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('apply creates, configures and leaves unchanged a schedule beside a job, in the file that holds its name', async () => {
    ws = await createWorkspace();
    const input = `${schedule('nightly')}---\n${fakeJob('pi')}`;
    const created = await ws.run(['apply', '-f', '-'], { input });
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('scheduledsparkjob/nightly created\nsparkjob/pi created\n');
    // The comment above the first document belongs to the stream, not to the document (as for SparkJobs).
    expect(await readFile(join(ws.jobsDir, 'nightly.yaml'), 'utf8')).toBe(schedule('nightly').replace(/^#.*\n/, ''));
    expect((await ws.run(['apply', '-f', '-'], { input })).stdout).toBe('scheduledsparkjob/nightly unchanged\nsparkjob/pi unchanged\n');

    // A schedule kept elsewhere in the folder is updated in its own file.
    await ws.write('team/hourly-report.yaml', schedule('hourly'));
    const dry = await ws.run(['apply', '-f', '-', '--dry-run'], { input: schedule('hourly', '  suspend: true\n') });
    expect(dry.stdout).toBe('scheduledsparkjob/hourly configured (dry run)\n');
    expect(await readFile(join(ws.jobsDir, 'team/hourly-report.yaml'), 'utf8')).toBe(schedule('hourly'));
    const configured = await ws.run(['apply', '-f', '-'], { input: schedule('hourly', '  suspend: true\n') });
    expect(configured.stdout).toBe('scheduledsparkjob/hourly configured\n');
    expect(await readFile(join(ws.jobsDir, 'team/hourly-report.yaml'), 'utf8')).toBe(schedule('hourly', '  suspend: true\n'));
    expect(existsSync(join(ws.jobsDir, 'hourly.yaml'))).toBe(false);
  });

  it('an invalid schedule refuses the whole input with file:line:col, and a name the other kind holds is refused', async () => {
    ws = await createWorkspace();
    await ws.write('pi.yaml', fakeJob('pi'));
    const bad = `${fakeJob('fresh')}---\n${schedule('nightly').replace('"0 2 * * *"', '"0 2 * *"')}`;
    const refused = await ws.run(['apply', '-f', '-'], { input: bad });
    expect(refused.code).toBe(1);
    // The job is 12 lines and --- the 13th: the schedule's spec.schedule is line 20, its value at column 13.
    expect(refused.stderr).toMatch(/^<stdin>:20:13: spec\.schedule: schedule must have 5 fields/m);
    expect(await readdir(ws.jobsDir)).toEqual(['pi.yaml']);

    const clash = await ws.run(['apply', '-f', '-'], { input: `${fakeJob('fresh')}---\n${schedule('pi')}` });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('metadata.name: pi is already used by SparkJob pi in pi.yaml');
    expect(clash.stderr).toContain('rename it');
    expect(await readdir(ws.jobsDir)).toEqual(['pi.yaml']);
    expect(await readFile(join(ws.jobsDir, 'pi.yaml'), 'utf8')).toBe(fakeJob('pi'));

    await ws.write('nightly.yaml', schedule('nightly'));
    const reverse = await ws.run(['apply', '-f', '-'], { input: fakeJob('nightly') });
    expect(reverse.code).toBe(1);
    expect(reverse.stderr).toContain('metadata.name: nightly is already used by ScheduledSparkJob nightly in nightly.yaml');
    expect(await readFile(join(ws.jobsDir, 'nightly.yaml'), 'utf8')).toBe(schedule('nightly'));

    const valid = await ws.run(['validate', '-'], { input: schedule('other') });
    expect(valid.stdout).toBe('<stdin>: scheduledsparkjob/other valid\nstdin checked: 1 valid, 0 invalid\n');
  });

  it('diff -f shows a schedule change with template secrets masked; get -o json masks them and round-trips through apply', async () => {
    ws = await createWorkspace();
    await ws.write('nightly.yaml', withToken('nightly', 'old-hunter2'));
    const changed = await ws.run(['diff', '-f', '-'], { input: withToken('nightly', 'new-hunter3', '  suspend: true\n') });
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('\n+  suspend: true\n');
    expect(changed.stdout).toContain('******');
    expect(changed.stdout).not.toMatch(/hunter/);
    expect((await ws.run(['diff', '-f', '-'], { input: withToken('nightly', 'old-hunter2') })).code).toBe(0);

    const json = await ws.run(['get', '-o', 'json']);
    expect(json.code).toBe(0);
    expect(json.stdout).toContain('"kind": "ScheduledSparkJob"');
    expect(json.stdout).not.toMatch(/hunter/);
    const round = await ws.run(['apply', '-f', '-'], { input: json.stdout });
    expect(round.stderr).toBe('');
    expect(round.stdout).toBe('scheduledsparkjob/nightly unchanged\n');
    expect(await readFile(join(ws.jobsDir, 'nightly.yaml'), 'utf8')).toBe(withToken('nightly', 'old-hunter2'));
  });
});
