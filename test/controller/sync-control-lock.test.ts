import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readLiveLock } from '../../src/state/state-lock.js';
import { readSyncStatus, writeSyncStatus } from '../../src/gitops/sync-status.js';
import { instanceId } from '../../src/main.js';
import { ensureBuilt, runCli, startCli, type CliProcess } from '../e2e/support/cli.js';
import { createTestRemote, type TestRemote } from '../gitops/git-remote.js';
import { fakeJob } from '../support/controller-harness.js';
import { removeInstanceContainers } from '../support/docker.js';

const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;

describe('sparkctl sync reaches the controller over its control socket, never by pid', () => {
  let root: string | undefined;
  let remote: TestRemote | undefined;
  let bystander: ChildProcess | undefined;
  let controller: CliProcess | undefined;
  beforeAll(() => ensureBuilt(), 120_000);
  afterEach(async () => {
    if (controller && alive(controller.child)) {
      controller.child.kill('SIGTERM');
      await controller.exited();
    }
    if (bystander && alive(bystander)) bystander.kill('SIGKILL');
    if (root) await removeInstanceContainers(instanceId(join(root, 'state')));
    await remote?.close();
    if (root) await rm(root, { recursive: true, force: true });
    root = remote = bystander = controller = undefined;
  });

  it('leaves a process that reused a dead controller pid alone, and syncs the live controller', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-sync-lock-'));
    const jobs = join(root, 'jobs');
    const state = join(root, 'state');
    const where = ['--jobs', jobs, '--state-dir', state];
    await mkdir(state, { recursive: true, mode: 0o700 });
    // `sleep` keeps SIGHUP's default action: a SIGHUP would end it.
    bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = bystander.pid!;
    remote = await createTestRemote();
    const first = await remote.commit({ 'jobs/a.yaml': fakeJob('a', '  suspend: true\n') });

    // What a dead controller leaves behind once its pid is reused: a lock file and a sync status naming that pid.
    await writeFile(join(state, 'controller.lock'), JSON.stringify({ pid, startedAt: new Date().toISOString(), jobsDir: jobs }));
    await writeSyncStatus(state, {
      url: remote.url,
      ref: 'main',
      path: 'jobs',
      prune: false,
      lastAttemptAt: new Date().toISOString(),
      orphaned: [],
      invalid: [],
      pid,
    });
    const none = await runCli([...where, 'sync', '--wait', '--timeout', '5s']);
    expect(none.stderr).toContain('no controller is running for');
    expect(none.code).toBe(1);
    expect(alive(bystander)).toBe(true);

    controller = startCli([...where, 'controller', '--git', remote.url, '--git-path', 'jobs', '--interval', '10m'], {
      env: { SPARKCTL_LOG_LEVEL: 'warn' },
    });
    const deadline = Date.now() + 30_000;
    while ((await readLiveLock(state))?.pid !== controller.child.pid) {
      if (Date.now() > deadline || !alive(controller.child)) throw new Error(`controller did not start: ${controller.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // The first sync runs in the background once the controller supervises the existing checkout.
    while ((await readSyncStatus(state))?.revision !== first) {
      if (Date.now() > deadline) throw new Error(`the first sync did not land: ${controller.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Even a lock file rewritten to name the bystander does not redirect the request.
    await writeFile(join(state, 'controller.lock'), JSON.stringify({ pid, startedAt: new Date().toISOString(), jobsDir: jobs }));

    const second = await remote.commit({ 'jobs/b.yaml': fakeJob('b', '  suspend: true\n') });
    const synced = await runCli([...where, 'sync', '--wait', '--timeout', '30s']);
    expect(synced.stderr).toBe('');
    expect(synced.stdout).toMatch(new RegExp(`^Synced ${second.slice(0, 7)} `));
    expect(synced.code).toBe(0);
    const asked = await runCli([...where, 'sync']);
    expect(asked.stdout).toBe(`Asked the controller (pid ${controller.child.pid}) to sync now\n`);
    expect(alive(bystander)).toBe(true);

    // SIGHUP to the controller itself still syncs, for operators used to it.
    const third = await remote.commit({ 'jobs/c.yaml': fakeJob('c', '  suspend: true\n') });
    controller.child.kill('SIGHUP');
    const until = Date.now() + 30_000;
    while ((await readSyncStatus(state))?.revision !== third) {
      if (Date.now() > until) throw new Error(`SIGHUP did not sync: ${controller.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(alive(controller.child)).toBe(true);
    expect(alive(bystander)).toBe(true);
  });
});
