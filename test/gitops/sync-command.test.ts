import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLiveLock } from '../../src/state/state-lock.js';
import { readSyncStatus } from '../../src/gitops/sync-status.js';
import { instanceId } from '../../src/main.js';
import { fakeJob } from '../support/controller-harness.js';
import { removeInstanceContainers } from '../support/docker.js';
import { createTestRemote, type TestRemote } from './git-remote.js';
import { CLI, ROOT, sparkctl } from './support/run-sparkctl.js';

const suspended = (name: string) => fakeJob(name, '  suspend: true\n');

describe('sparkctl sync against a running controller', () => {
  let remote: TestRemote | undefined;
  let root: string | undefined;
  let controller: ChildProcess | undefined;
  afterEach(async () => {
    if (controller && controller.exitCode === null) {
      const exited = new Promise((r) => controller!.once('exit', r));
      controller.kill('SIGTERM');
      await exited;
    }
    if (root) await removeInstanceContainers(instanceId(join(root, 'state')));
    await remote?.close();
    if (root) await rm(root, { recursive: true, force: true });
    controller = remote = root = undefined;
  });

  it('fails clearly when no controller runs', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-sync-cli-'));
    const res = await sparkctl(['--jobs', join(root, 'jobs'), '--state-dir', join(root, 'state'), 'sync', '--wait']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('no controller is running for');
    expect(res.stderr).toContain('controller --git URL');
  });

  it('asks the controller to sync now, waits for the result, and exits 1 when that sync failed', async () => {
    remote = await createTestRemote();
    const first = await remote.commit({ 'jobs/a.yaml': suspended('a') });
    root = await mkdtemp(join(tmpdir(), 'sparkctl-sync-cli-'));
    const jobs = join(root, 'jobs');
    const state = join(root, 'state');
    const where = ['--jobs', jobs, '--state-dir', state];
    controller = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, ...where, 'controller', '--git', remote.url, '--git-path', 'jobs', '--interval', '10m'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, SPARKCTL_LOG_LEVEL: 'warn' },
      },
    );
    let log = '';
    controller.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 30_000;
    while ((await readLiveLock(state))?.pid !== controller.pid) {
      if (Date.now() > deadline || controller.exitCode !== null) throw new Error(`controller did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The first sync runs in the background once the controller supervises.
    while ((await readSyncStatus(state))?.revision !== first) {
      if (Date.now() > deadline) throw new Error(`first sync did not land: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const second = await remote.commit({ 'jobs/b.yaml': suspended('b') });
    const ok = await sparkctl([...where, 'sync', '--wait', '--timeout', '30s']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^Synced ${second.slice(0, 7)} \\d+s ago from file://.*@main \\(jobs\\)\\n$`));
    expect((await readdir(jobs)).sort()).toEqual(['a.yaml', 'b.yaml']);
    const get = await sparkctl([...where, 'get']);
    expect(get.code).toBe(0);
    const lines = get.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Synced ${second.slice(0, 7)} \\d+s ago from file://.*@main \\(jobs\\)$`));
    expect(lines[1]).toMatch(/^NAME\s+PHASE/);
    expect(
      lines
        .slice(2)
        .map((l) => l.split(/\s+/)[0])
        .filter(Boolean),
    ).toEqual(['a', 'b']);
    expect((await sparkctl([...where, 'get', '-o', 'name'])).stdout).toBe('sparkjob/a\nsparkjob/b\n');

    await rename(remote.bare, `${remote.bare}.away`);
    const failed = await sparkctl([...where, 'sync', '--wait', '--timeout', '30s']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`Synced ${second.slice(0, 7)}`);
    expect(failed.stdout).toContain('failed: FetchFailed');
    await rename(`${remote.bare}.away`, remote.bare);

    const noWait = await sparkctl([...where, 'sync']);
    expect(noWait.code).toBe(0);
    expect(noWait.stdout).toBe(`Asked the controller (pid ${controller.pid}) to sync now\n`);
    expect(controller.exitCode).toBeNull();
  });
});
