import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readJobRecord } from '../../src/state/read-journal.js';
import { instanceId } from '../../src/main.js';
import { ensureTestImages, testDocker } from '../support/docker.js';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const containers = async (stateDir: string) =>
  testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${instanceId(stateDir)}`] } });

const fileStatus = async (path: string) =>
  (parse(await readFile(path, 'utf8')) as { status?: { phase?: string; lastHandledRerunAt?: string } }).status;

describe('sparkctl verbs against a running controller and the real Docker engine', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ensureBuilt();
    await ensureTestImages();
  });
  afterEach(async () => {
    await ws?.close();
  });

  it('wait, get (every format), logs, describe and events follow a job to Succeeded', async () => {
    ws = await createWorkspace();
    await ws.write(
      'pi.yaml',
      fakeJob('pi', '  sparkConf: {spark.fake.output: /tmp/result.txt}\n  outputs: [{name: result, path: /tmp/result.txt}]\n'),
    );
    await ws.startController();
    const waited = await ws.run(['wait', 'pi', '--for', 'condition=Succeeded', '--timeout', '45s']);
    expect(waited.stderr).not.toContain('no controller is running');
    expect(waited.code).toBe(0);
    expect(waited.stdout).toBe('sparkjob/pi condition=Succeeded met\n');

    const [table, wide, logs, describeOut, events] = await Promise.all([
      ws.run(['get']),
      ws.run(['get', '-o', 'wide']),
      ws.run(['logs', 'pi']),
      ws.run(['describe', 'pi']),
      ws.run(['events', 'pi']),
    ]);
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(/^NAME +PHASE +ATTEMPTS +AGE +MESSAGE\npi +Succeeded +1 +\d+s +Driver completed with exit code 0\n$/);
    expect(wide.stdout).toMatch(/pi +Succeeded +1 +\d+s +Driver completed with exit code 0 +docker +sparkctl-\S+-pi-1 +local\[\*\]\n$/);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('Pi is roughly');
    expect(describeOut.stdout).toMatch(/ Phase: +Succeeded\n/);
    expect(describeOut.stdout).toMatch(/ Exit Code: +0\n/);
    expect(describeOut.stdout).toMatch(/ Results: +result -> \S+ \(\d+ bytes\)/);
    expect(describeOut.stdout).toMatch(/Conditions:\n {2}TYPE +STATUS +REASON +LAST TRANSITION +MESSAGE\n {2}Succeeded +True +Completed /);
    expect(describeOut.stdout).toMatch(/Attempts:\n {2}ATTEMPT +LOG +BYTES +LAST WRITE\n {2}1 +\S+attempt-1\.log +\d+ /);
    expect(describeOut.stdout).toMatch(/Events:\n {2}TYPE +REASON +AGE +MESSAGE\n {2}Normal +Added +\d+s +SparkJob pi found in pi.yaml\n/);
    expect(describeOut.stdout).toMatch(/ {2}Normal +Completed +\d+s +Driver completed with exit code 0\n/);
    expect(events.stdout.split('\n')[0]).toMatch(/^LAST SEEN +TYPE +REASON +ATTEMPT +MESSAGE$/);
    const reasons = events.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/ {3,}/)[2]);
    expect(reasons[0]).toBe('Added');
    expect(reasons).toContain('Running');
    expect(reasons[reasons.length - 1]).toBe('Completed');

    const json = JSON.parse((await ws.run(['get', 'pi', '-o', 'json'])).stdout) as {
      status: { phase: string; exitCode: number; driver: { backend: string } };
    };
    expect(json.status).toMatchObject({ phase: 'Succeeded', exitCode: 0, driver: { backend: 'docker' } });
    const failedWait = await ws.run(['wait', 'pi', '--for', 'phase=Failed', '--timeout', '30s']);
    expect(failedWait.code).toBe(1);
    expect(failedWait.stderr).toContain('SparkJob "pi" reached phase Succeeded');
    expect(failedWait.ms).toBeLessThan(10_000);
  });

  it('logs -f prints a running driver log and ends when the attempt ends; get -w and events -w print changes and end on Ctrl-C', async () => {
    ws = await createWorkspace();
    await ws.write('slow.yaml', fakeJob('slow', '  sparkConf: {spark.fake.sleepSeconds: "4"}\n'));
    await ws.startController();
    const watch = ws.start(['get', '-w']);
    const eventsWatch = ws.start(['events', '-w']);
    await watch.waitFor(/slow +Running /);
    const follow = ws.start(['logs', 'slow', '-f']);
    await follow.waitFor(/running for 4s/);
    expect(follow.child.exitCode).toBeNull();
    expect(await follow.exited(30_000)).toBe(0);
    expect(follow.stdout()).toContain('Pi is roughly');
    expect(follow.stdout()).toMatch(/Shutdown hook called\n$/);
    expect(follow.stdout().match(/running for 4s/g)).toHaveLength(1);
    await watch.waitFor(/slow +Succeeded /);
    await eventsWatch.waitFor(/Normal +Completed +sparkjob\/slow/);
    expect(watch.stdout().split('\n')[0]).toMatch(/^NAME +PHASE +ATTEMPTS +AGE +MESSAGE$/);
    expect(watch.child.exitCode).toBeNull();
    watch.signal('SIGINT');
    eventsWatch.signal('SIGINT');
    expect(await watch.exited(5_000)).toBe(0);
    expect(await eventsWatch.exited(5_000)).toBe(0);
    const phases = watch
      .stdout()
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/ {3,}/)[1]);
    expect(phases.indexOf('Running')).toBeLessThan(phases.indexOf('Succeeded'));
    const eventLines = eventsWatch.stdout().trim().split('\n');
    expect(eventLines[0]).toMatch(/^LAST SEEN +TYPE +REASON +JOB +ATTEMPT +MESSAGE$/);
    expect(eventLines.filter((l) => /Added/.test(l))).toHaveLength(1);
  });

  it('wait exits 1 when a failed job can never succeed, 0 for phase=Failed, and 1 on timeout for a long job', async () => {
    ws = await createWorkspace();
    await ws.write('fail.yaml', fakeJob('fail', '  sparkConf: {spark.fake.exitCode: "3"}\n'));
    await ws.write('long.yaml', fakeJob('long', '  sparkConf: {spark.fake.sleepSeconds: "60"}\n'));
    await ws.startController();
    const [never, failed, timedOut] = await Promise.all([
      ws.run(['wait', 'fail', '--for', 'condition=Succeeded', '--timeout', '45s']),
      ws.run(['wait', 'fail', '--for', 'phase=Failed', '--timeout', '45s']),
      ws.run(['wait', 'long', '--for', 'condition=Succeeded', '--timeout', '2s']),
    ]);
    expect(never.code).toBe(1);
    expect(never.stderr).toMatch(/Error: SparkJob "fail" reached phase Failed \(.*code 3.*\); condition=Succeeded can never be met/);
    expect(failed.code).toBe(0);
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toMatch(/Error: timed out after 2s waiting for condition=Succeeded on SparkJob "long" \(phase \w+\)/);
    expect(timedOut.ms).toBeGreaterThanOrEqual(2000);
    const logs = await ws.run(['logs', 'fail']);
    expect(logs.stdout).toContain('the application requested exit code 3');
    const attempt = await ws.run(['logs', 'fail', '--attempt', '7']);
    expect(attempt.code).toBe(1);
    expect(attempt.stderr).toContain('has no log for attempt 7 (attempts with a log: 1)');
  });

  it('suspend stops the driver and resume starts it again; rerun runs a finished job again and is echoed in status', async () => {
    ws = await createWorkspace();
    const file = await ws.write('job.yaml', fakeJob('job', '  sparkConf: {spark.fake.sleepSeconds: "30"}\n'));
    const quick = await ws.write('quick.yaml', fakeJob('quick'));
    await ws.startController();
    expect((await ws.run(['wait', 'job', '--for', 'phase=Running'])).code).toBe(0);
    const suspended = await ws.run(['suspend', 'job']);
    expect(suspended.stdout).toBe('sparkjob/job suspended\n');
    expect((await ws.run(['wait', 'job', '--for', 'phase=Suspended', '--timeout', '30s'])).code).toBe(0);
    expect((await containers(ws.stateDir)).filter((c) => c.Labels['io.sparkctl.job'] === 'job' && c.State === 'running')).toHaveLength(0);
    expect((await ws.run(['suspend', 'job'])).stdout).toBe('sparkjob/job suspended (unchanged)\n');
    expect((await ws.run(['resume', 'job'])).stdout).toBe('sparkjob/job resumed\n');
    expect((await ws.run(['wait', 'job', '--for', 'phase=Running', '--timeout', '30s'])).code).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('  suspend: false\n');

    expect((await ws.run(['wait', 'quick', '--for', 'condition=Succeeded', '--timeout', '45s'])).code).toBe(0);
    const rerun = await ws.run(['rerun', 'quick']);
    expect(rerun.stdout).toBe('sparkjob/quick rerun requested\n');
    const requested = /sparkctl\.io\/requestedAt: "([^"]+)"/.exec(await readFile(quick, 'utf8'))?.[1];
    expect(requested).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The stale Succeeded status does not satisfy wait: it waits for the rerun to finish.
    expect((await ws.run(['wait', 'quick', '--for', 'condition=Succeeded', '--timeout', '45s'])).code).toBe(0);
    const record = await readJobRecord(ws.stateDir, 'quick');
    expect(record?.status.lastHandledRerunAt).toBe(requested);
    expect(record?.status.phase).toBe('Succeeded');
    const describeOut = (await ws.run(['describe', 'quick'])).stdout;
    expect(describeOut).toMatch(/Attempts:\n {2}ATTEMPT.*\n {2}1 .*\n {2}2 /);
    expect((await fileStatus(quick))?.lastHandledRerunAt).toBe(requested);
    const [first, current] = await Promise.all([ws.run(['logs', 'quick', '--attempt', '1']), ws.run(['logs', 'quick'])]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Pi is roughly');
    expect(current.stdout).toContain('Pi is roughly');
    expect(current.stdout).not.toBe(first.stdout);
  });

  it('delete --wait returns once the controller has released a running job', async () => {
    ws = await createWorkspace();
    const file = await ws.write('gone.yaml', fakeJob('gone', '  sparkConf: {spark.fake.sleepSeconds: "60"}\n'));
    await ws.startController();
    expect((await ws.run(['wait', 'gone', '--for', 'phase=Running', '--timeout', '30s'])).code).toBe(0);
    const r = await ws.run(['delete', 'gone', '--wait', '--timeout', '30s']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sparkjob/gone deleted\nsparkjob/gone released\n');
    await expect(readFile(file)).rejects.toThrow();
    expect(await readJobRecord(ws.stateDir, 'gone')).toBeUndefined();
    expect(await containers(ws.stateDir)).toHaveLength(0);
    const after = await ws.run(['get', 'gone']);
    expect(after.code).toBe(1);
  });

  it('get -o json | apply -f - round-trips: every job unchanged, every file byte-identical', async () => {
    ws = await createWorkspace();
    const a = await ws.write('a.yaml', fakeJob('a', '', '  labels: {team: geo}\n'));
    const b = await ws.write(
      'nested/b.yaml',
      fakeJob('b').replace('memoryOverhead: 16m}', 'memoryOverhead: 16m, env: [{name: TOKEN, value: s3cret, secret: true}]}'),
    );
    await ws.startController();
    expect((await ws.run(['wait', 'a', '--for', 'condition=Succeeded', '--timeout', '45s'])).code).toBe(0);
    expect((await ws.run(['wait', 'b', '--for', 'condition=Succeeded', '--timeout', '45s'])).code).toBe(0);
    await ws.run(['wait', 'a', '--for', 'phase=Succeeded']);
    const before = [await readFile(a, 'utf8'), await readFile(b, 'utf8')];
    const json = (await ws.run(['get', '-o', 'json'])).stdout;
    expect(json).not.toContain('s3cret');
    const applied = await ws.run(['apply', '-f', '-'], { input: json });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe('sparkjob/a unchanged\nsparkjob/b unchanged\n');
    expect([await readFile(a, 'utf8'), await readFile(b, 'utf8')]).toEqual(before);
    const yaml = (await ws.run(['get', '-o', 'yaml'])).stdout;
    expect((await ws.run(['apply', '-f', '-'], { input: yaml })).stdout).toBe('sparkjob/a unchanged\nsparkjob/b unchanged\n');

    // An edited list applies as an update of the same files, keeping their status and the secret.
    const list = JSON.parse(json) as { items: Array<{ spec: { arguments: string[] } }> };
    for (const item of list.items) item.spec.arguments = ['20'];
    const updated = await ws.run(['apply', '-f', '-'], { input: JSON.stringify(list) });
    expect(updated.stdout).toBe('sparkjob/a configured\nsparkjob/b configured\n');
    const bText = await readFile(b, 'utf8');
    expect(bText).toContain('s3cret');
    expect(bText).toContain('status:');
    const rerunDone = await ws.run(['wait', 'b', '--for', 'condition=Succeeded', '--timeout', '45s']);
    expect(rerunDone.code).toBe(0);
    expect((JSON.parse((await ws.run(['get', 'b', '-o', 'json'])).stdout) as { spec: { arguments: string[] } }).spec.arguments).toEqual([
      '20',
    ]);
    expect(join(ws.jobsDir, 'nested', 'b.yaml')).toBe(b);
  });
});
