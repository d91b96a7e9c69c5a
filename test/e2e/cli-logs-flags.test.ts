import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { journalPaths } from '../../src/state/journal-paths.js';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

describe('sparkctl logs --tail and -p/--previous', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('--tail N prints the last N lines; -p prints the attempt before the current one', async () => {
    ws = await createWorkspace();
    await ws.write('quick.yaml', fakeJob('quick'));
    await ws.startController();
    expect((await ws.run(['wait', 'quick', '--for', 'condition=Succeeded', '--timeout', '45s'])).code).toBe(0);
    const none = await ws.run(['logs', 'quick', '-p']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no attempt before the current one');
    expect((await ws.run(['rerun', 'quick'])).code).toBe(0);
    expect((await ws.run(['wait', 'quick', '--for', 'condition=Succeeded', '--timeout', '45s'])).code).toBe(0);

    const logs = await ws.run(['logs', 'quick']);
    const current = logs.stdout;
    const lines = current.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(2);
    const tail2 = await ws.run(['logs', 'quick', '--tail', '2']);
    expect(tail2.code).toBe(0);
    expect(tail2.stdout).toBe(`${lines.slice(-2).join('\n')}\n`);
    expect((await ws.run(['logs', 'quick', '--tail', '0'])).stdout).toBe('');

    const previous = await ws.run(['logs', 'quick', '-p']);
    expect(previous.code).toBe(0);
    const attempts = (await ws.run(['describe', 'quick'])).stdout
      .match(/^ {2}(\d+) {3,}\S*attempt-\d+\.log/gm)!
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    const [older, newer] = attempts.slice(-2);
    expect(previous.stdout).toBe(await readFile(journalPaths.log(ws.stateDir, 'quick', older!), 'utf8'));
    expect(current).toBe(await readFile(journalPaths.log(ws.stateDir, 'quick', newer!), 'utf8'));
    expect((await ws.run(['logs', 'quick', '-p', '--attempt', '1'])).code).toBe(2);
  });

  it('after a rerun, get, describe, events and logs use one attempt numbering', async () => {
    ws = await createWorkspace();
    await ws.write('quick.yaml', fakeJob('quick'));
    await ws.startController();
    expect((await ws.run(['wait', 'quick', '--for', 'condition=Succeeded', '--timeout', '45s'])).code).toBe(0);
    expect((await ws.run(['rerun', 'quick'])).code).toBe(0);
    expect((await ws.run(['wait', 'quick', '--for', 'condition=Succeeded', '--timeout', '45s'])).code).toBe(0);
    const row = (await ws.run(['get', 'quick'])).stdout.split('\n')[1]!;
    expect(row).toMatch(/^quick +Succeeded +2 /);
    const describe = (await ws.run(['describe', 'quick'])).stdout;
    expect(describe).toMatch(/^ {2}Attempts: +2 in all; this run: 1 submission, 1 execution$/m);
    expect(describe).toMatch(/^ {2}2 +\S*attempt-2\.log/m);
    const events = (await ws.run(['events', 'quick'])).stdout;
    expect(events).toMatch(/Completed +2 +/);
    expect((await ws.run(['logs', 'quick', '--attempt', '2'])).stdout).toBe((await ws.run(['logs', 'quick'])).stdout);
  });

  it('a rerun running shows its attempt number in the message as in ATTEMPTS', async () => {
    ws = await createWorkspace();
    await ws.write('slow.yaml', fakeJob('slow', '  sparkConf: {spark.fake.sleepSeconds: "15"}\n'));
    await ws.startController();
    expect((await ws.run(['wait', 'slow', '--for', 'condition=Succeeded', '--timeout', '90s'])).code).toBe(0);
    expect((await ws.run(['rerun', 'slow'])).code).toBe(0);
    expect((await ws.run(['wait', 'slow', '--for', 'phase=Running', '--timeout', '60s'])).code).toBe(0);
    const row = (await ws.run(['get', 'slow'])).stdout.split('\n')[1]!;
    expect(row).toMatch(/^slow +Running +2 +\S+ +Driver running \(attempt 2\)$/);
  });
});
