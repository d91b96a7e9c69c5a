import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

describe('sparkctl describe and logs wording', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('an invalid manifest shows its labels and annotations; logs of it says why there is no log, without suggesting -f', async () => {
    ws = await createWorkspace();
    await ws.write(
      'bad.yaml',
      'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: bad\n  labels: {team: geo}\n  annotations: {owner: ana}\nspec:\n  image: x\n',
    );
    const d = await ws.run(['describe', 'bad']);
    expect(d.stdout).toMatch(/^Labels: +team=geo$/m);
    expect(d.stdout).toMatch(/^Annotations: +owner=ana$/m);
    for (const args of [
      ['logs', 'bad'],
      ['logs', 'bad', '-f'],
    ]) {
      const r = await ws.run(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Error: SparkJob "bad" has no driver log: it is Invalid (');
      expect(r.stderr).toContain('and its driver never wrote one; see sparkctl describe bad');
      expect(r.stderr).not.toMatch(/-f|start the controller/);
    }
  });

  it('describe counts in words (1 core, 2 cores) and lists no executors in local mode', async () => {
    ws = await createWorkspace();
    await ws.write(
      'one.yaml',
      fakeJob('one', '  master: "local[2]"\n  driver: {cores: 1, memory: 64m, memoryOverhead: 16m}\n').replace(
        '  driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}\n',
        '',
      ),
    );
    const d = (await ws.run(['describe', 'one'])).stdout;
    expect(d).toMatch(/^ {2}Driver: +1 core, 64m memory \+ 16m overhead$/m);
    expect(d).toMatch(/^ {2}Executors: +none: local mode \(local\[2\]\) runs the tasks in the driver$/m);
    expect(d).toMatch(/^ {2}Attempts: +0 in all; this run: 0 submissions, 0 executions$/m);
  });

  it('a failed driver says its exit code once, the retry time reads as a time, a suspend is not "Releasing", -f knows the controller runs', async () => {
    ws = await createWorkspace();
    await ws.write(
      'three.yaml',
      fakeJob(
        'three',
        '  sparkConf: {spark.fake.exitCode: "3"}\n  restartPolicy: {type: OnFailure, onFailureRetries: 1, onFailureRetryInterval: 300}\n',
      ),
    );
    await ws.write('long.yaml', fakeJob('long', '  sparkConf: {spark.fake.sleepSeconds: "60"}\n'));
    await ws.write('held.yaml', fakeJob('held', '  suspend: true\n'));
    await ws.startController();
    expect((await ws.run(['wait', 'three', '--for', 'phase=Retrying', '--timeout', '45s'])).code).toBe(0);
    const described = (await ws.run(['describe', 'three'])).stdout;
    expect(described).toMatch(/^ {2}Message: +driver exited with code 3; next attempt in \d+[sm] \(at \d{4}-\d\d-\d\dT[\d:.]+Z\)$/m);
    expect(described).not.toMatch(/exited with code 3:/);
    const row = (await ws.run(['get', 'three', '-o', 'wide'])).stdout.split('\n')[1]!;
    expect(row).toMatch(/driver exited with code 3; next attempt in \d+[sm] \(at /);

    expect((await ws.run(['wait', 'long', '--for', 'phase=Running', '--timeout', '45s'])).code).toBe(0);
    expect((await ws.run(['suspend', 'long'])).code).toBe(0);
    expect((await ws.run(['wait', 'long', '--for', 'phase=Suspended', '--timeout', '30s'])).code).toBe(0);
    const suspendedEvents = (await ws.run(['events', 'long'])).stdout
      .split('\n')
      .filter((l) => / Suspended /.test(l))
      .map((l) => l.split(/ {3,}/).pop());
    expect(suspendedEvents.length).toBeGreaterThan(0);
    for (const message of suspendedEvents) expect(message).not.toBe('Releasing');
    expect(suspendedEvents).toContain('Releasing the driver: spec.suspend is true');

    const held = await ws.run(['logs', 'held', '-f']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('it is suspended; resume it (sparkctl resume held) to run it');
    expect(held.stderr).not.toMatch(/start one|sparkctl controller/);
  });
});
