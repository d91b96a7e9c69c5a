import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const BROKEN = 'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: broken\n  labels: {team: geo}\nspec:\n  image: x\n';

const count = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;

describe('sparkctl get -w prints a job only when it changes', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('an invalid manifest is printed once (table and -o name), not on every poll', async () => {
    ws = await createWorkspace();
    await ws.write('broken.yaml', BROKEN);
    for (const args of [
      ['get', '-w'],
      ['get', '-w', '-o', 'name'],
      ['get', '-w', '-o', 'json'],
    ]) {
      const w = ws.start(args);
      await w.waitFor(/broken/);
      // Two more files, one after the other: the watch has polled at least twice meanwhile.
      await ws.write(`first-${args.length}.yaml`, fakeJob(`first-${args.length}`));
      await w.waitFor(new RegExp(`first-${args.length}`));
      await ws.write(`second-${args.length}.yaml`, fakeJob(`second-${args.length}`));
      await w.waitFor(new RegExp(`second-${args.length}`));
      expect(count(w.stdout(), /broken/), w.stdout()).toBe(1);
      w.signal('SIGINT');
      expect(await w.exited()).toBe(0);
    }
  });

  it('get NAME -o yaml of an invalid manifest is the same on every run; the transition time is the file time', async () => {
    ws = await createWorkspace();
    await ws.write('broken.yaml', BROKEN);
    const a = await ws.run(['get', 'broken', '-o', 'yaml']);
    const b = await ws.run(['get', 'broken', '-o', 'yaml']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('phase: Invalid');
    expect(b.stdout).toBe(a.stdout);
    // The Invalid condition dates from the file, not from the read: an old file shows its age.
    const tenMinutesAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000);
    await utimes(join(ws.jobsDir, 'broken.yaml'), tenMinutesAgo, tenMinutesAgo);
    const obj = JSON.parse((await ws.run(['get', 'broken', '-o', 'json'])).stdout) as {
      status: { conditions: Array<{ type: string; lastTransitionTime: string }> };
    };
    expect(obj.status.conditions.map((c) => c.lastTransitionTime)).toContain(tenMinutesAgo.toISOString());
    const described = (await ws.run(['describe', 'broken'])).stdout;
    expect(described).toMatch(/^ {2}Stalled +True +InvalidSpec +10m /m);
    expect(described).not.toMatch(/^ {2}\w+ +\w+ +\w+ +0s /m);
  });
});

describe('sparkctl shows deletions', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('get -w prints a Deleted row, --output-watch-events prints ADDED/DELETED; -o name says deleted', async () => {
    ws = await createWorkspace();
    await ws.write('a.yaml', fakeJob('a'));
    await ws.write('b.yaml', fakeJob('b'));
    const table = ws.start(['get', '-w']);
    const events = ws.start(['get', '-w', '--output-watch-events']);
    const names = ws.start(['get', 'b', '-w', '-o', 'name']);
    const json = ws.start(['get', '-w', '-o', 'json', '--output-watch-events']);
    await table.waitFor(/^b +Pending/m);
    await events.waitFor(/^ADDED +b +Pending/m);
    await names.waitFor(/sparkjob\/b\n/);
    await json.waitFor(/"name": "b"/);
    await rm(join(ws.jobsDir, 'b.yaml'));
    await table.waitFor(/^b +Deleted +0/m);
    await events.waitFor(/^DELETED +b +Pending/m);
    await names.waitFor(/sparkjob\/b deleted\n/);
    await json.waitFor(
      /"type": "DELETED",\s+"object": \{\s+"apiVersion": "sparkctl.io\/v1alpha1",\s+"kind": "SparkJob",\s+"metadata": \{\s+"name": "b"/,
    );
    expect(events.stdout().split('\n')[0]).toMatch(/^EVENT +NAME +PHASE/);
    expect(table.stdout()).not.toMatch(/^a +Deleted/m);
  });

  it("events keeps a deleted job's history (from the controller's tombstone); events -w shows the Deleted event", async () => {
    ws = await createWorkspace();
    await ws.write('held.yaml', fakeJob('held', '  suspend: true\n'));
    await ws.startController();
    const w = ws.start(['events', '-w']);
    await w.waitFor(/sparkjob\/held/);
    await rm(join(ws.jobsDir, 'held.yaml'));
    await w.waitFor(/Normal +Deleted +sparkjob\/held/);
    const all = await ws.run(['events']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/Added +sparkjob\/held/);
    expect(all.stdout).toMatch(/Deleted +sparkjob\/held/);
    const one = await ws.run(['events', 'held']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/Normal +Deleted +\S* *Manifest removed/);
    // Each event once in the watch, although the history moved to the tombstone.
    expect(w.stdout().match(/Added +sparkjob\/held/g)).toHaveLength(1);
  });

  it('a tombstone older than an hour is no longer shown', async () => {
    ws = await createWorkspace();
    const old = join(ws.stateDir, 'deleted', `gone-${Date.now() - 2 * 3_600_000}`);
    await mkdir(old, { recursive: true });
    await writeFile(
      join(old, 'events.jsonl'),
      `${JSON.stringify({ time: new Date(Date.now() - 3 * 3_600_000).toISOString(), type: 'Normal', reason: 'Added', message: 'old' })}\n`,
    );
    const recent = join(ws.stateDir, 'deleted', `kept-${Date.now() - 60_000}`);
    await mkdir(recent, { recursive: true });
    await writeFile(
      join(recent, 'events.jsonl'),
      `${JSON.stringify({ time: new Date(Date.now() - 120_000).toISOString(), type: 'Normal', reason: 'Deleted', message: 'Manifest removed' })}\n`,
    );
    const r = await ws.run(['events']);
    expect(r.stdout).toMatch(/Deleted +sparkjob\/kept/);
    expect(r.stdout).not.toContain('gone');
    expect((await ws.run(['events', 'gone'])).code).toBe(1);
  });
});
