import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

describe('sparkctl verbs take several names, -l and --all', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  const threeJobs = async () => {
    ws = await createWorkspace();
    await ws.write('a.yaml', fakeJob('a', '', '  labels: {team: geo}\n'));
    await ws.write('b.yaml', fakeJob('b', '', '  labels: {team: geo}\n'));
    await ws.write('c.yaml', fakeJob('c', '', '  labels: {team: ads}\n'));
  };

  it('get a b lists both; -o json gives a list; an unknown name is an error beside the found ones (exit 1)', async () => {
    await threeJobs();
    const r = await ws.run(['get', 'b', 'a', '-o', 'name']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sparkjob/b\nsparkjob/a\n');
    const json = JSON.parse((await ws.run(['get', 'a', 'b', '-o', 'json'])).stdout) as { kind: string; items: unknown[] };
    expect(json.kind).toBe('SparkJobList');
    expect(json.items).toHaveLength(2);
    const miss = await ws.run(['get', 'a', 'nope', '-o', 'name']);
    expect(miss.code).toBe(1);
    expect(miss.stdout).toBe('sparkjob/a\n');
    expect(miss.stderr).toContain('Error: SparkJob "nope" not found');
  });

  it('get NAME -l is refused (exit 2), as kubectl does, rather than ignoring the selector', async () => {
    await threeJobs();
    const r = await ws.run(['get', 'a', '-l', 'team=ads']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('name cannot be provided when a selector (-l) is specified');
    expect(r.stdout).toBe('');
  });

  it('describe a b and describe -l show each job', async () => {
    await threeJobs();
    const two = await ws.run(['describe', 'a', 'c']);
    expect(two.code).toBe(0);
    expect(two.stdout.match(/^Name: +\w+$/gm)).toEqual(['Name:         a', 'Name:         c']);
    const sel = await ws.run(['describe', '-l', 'team=geo']);
    expect(sel.stdout.match(/^Name: +\w+$/gm)).toEqual(['Name:         a', 'Name:         b']);
  });

  it('delete a b, delete -l and delete --all remove the manifests; delete with no target is a usage error', async () => {
    await threeJobs();
    const none = await ws.run(['delete']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("give NAME…, -l SELECTOR or --all; see 'sparkctl delete --help'");
    const sel = await ws.run(['delete', '-l', 'team=ads']);
    expect(sel.code).toBe(0);
    expect(sel.stdout).toBe('sparkjob/c deleted\n');
    expect(existsSync(join(ws.jobsDir, 'c.yaml'))).toBe(false);
    await ws.write('c.yaml', fakeJob('c'));
    const two = await ws.run(['delete', 'a', 'b']);
    expect(two.stdout).toBe('sparkjob/a deleted\nsparkjob/b deleted\n');
    const all = await ws.run(['delete', '--all']);
    expect(all.stdout).toBe('sparkjob/c deleted\n');
    expect(existsSync(join(ws.jobsDir, 'c.yaml'))).toBe(false);
  });

  it('wait a b, wait -l and wait --all wait for every job named', async () => {
    ws = await createWorkspace();
    const invalid = (name: string, team: string) =>
      `apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: ${name}\n  labels: {team: ${team}}\nspec:\n  image: x\n`;
    await ws.write('x.yaml', invalid('x', 'geo'));
    await ws.write('y.yaml', invalid('y', 'geo'));
    await ws.write('z.yaml', invalid('z', 'ads'));
    const two = await ws.run(['wait', 'x', 'y', '--for', 'phase=Invalid', '--timeout', '5s']);
    expect(two.code).toBe(0);
    expect(two.stdout).toBe('sparkjob/x phase=Invalid met\nsparkjob/y phase=Invalid met\n');
    const sel = await ws.run(['wait', '-l', 'team=ads', '--for', 'phase=Invalid', '--timeout', '5s']);
    expect(sel.stdout).toBe('sparkjob/z phase=Invalid met\n');
    const all = await ws.run(['wait', '--all', '--for', 'phase=Invalid', '--timeout', '5s']);
    expect(all.stdout).toBe('sparkjob/x phase=Invalid met\nsparkjob/y phase=Invalid met\nsparkjob/z phase=Invalid met\n');
    await ws.write('a.yaml', fakeJob('a'));
    await ws.write('b.yaml', fakeJob('b'));
    const both = await ws.run(['wait', 'a', '--all', '--for', 'phase=Pending']);
    expect(both.code).toBe(2);
    // One job that never gets there: the whole wait times out naming it.
    const slow = await ws.run(['wait', 'a', 'b', '--for', 'phase=Running', '--timeout', '300ms']);
    expect(slow.code).toBe(1);
    expect(slow.stderr).toContain('timed out after 300ms waiting for phase=Running on SparkJob "a", SparkJob "b"');
  });
});
