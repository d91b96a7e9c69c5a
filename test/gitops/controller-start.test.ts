import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSyncStatus } from '../../src/gitops/sync-status.js';
import { instanceId } from '../../src/main.js';
import { fakeJob } from '../support/controller-harness.js';
import { removeInstanceContainers } from '../support/docker.js';
import { processesMentioning, startBlackHole } from '../support/git-servers.js';
import { createTestRemote, type TestRemote } from './git-remote.js';
import { sparkctl, startController, stopController, type ControllerRun } from './support/run-sparkctl.js';

const suspended = (name: string) => fakeJob(name, '  suspend: true\n');

describe('a controller whose remote hangs starts, syncs in the background and stops at once', () => {
  let remote: TestRemote | undefined;
  let root: string | undefined;
  let hole: Awaited<ReturnType<typeof startBlackHole>> | undefined;
  let controller: ControllerRun | undefined;
  afterEach(async () => {
    if (controller) await stopController(controller);
    if (root) await removeInstanceContainers(instanceId(join(root, 'state')));
    await hole?.close();
    await remote?.close();
    if (root) await rm(root, { recursive: true, force: true });
    controller = remote = root = hole = undefined;
  });

  it('supervises the existing checkout at once, survives SIGHUP, stops within seconds, and sync --wait reports the git timeout', async () => {
    remote = await createTestRemote();
    const first = await remote.commit({ 'jobs/a.yaml': suspended('a') });
    root = await mkdtemp(join(tmpdir(), 'sparkctl-start-'));
    const jobs = join(root, 'jobs');
    const state = join(root, 'state');
    const where = ['--jobs', jobs, '--state-dir', state];
    controller = await startController(where, state, ['--git', remote.url, '--git-path', 'jobs', '--interval', '10m']);
    const deadline = Date.now() + 30_000;
    while ((await readSyncStatus(state))?.revision !== first) {
      if (Date.now() > deadline) throw new Error(`first sync did not land: ${controller.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await stopController(controller);

    // Restart against a remote that accepts and never answers, with credentials in the URL.
    hole = await startBlackHole();
    const accepted = hole.nextAccept();
    const hungUrl = `http://deploy:argv-secret-42@127.0.0.1:${hole.port}/org/jobs.git`;
    const startedAt = Date.now();
    controller = await startController(where, state, ['--git', hungUrl, '--git-path', 'jobs', '--interval', '10m', '--git-timeout', '60s']);
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    await accepted;
    // The fetch is in flight and the controller supervises the checked-out revision meanwhile.
    expect((await processesMentioning(`127.0.0.1:${hole.port}`)).map((p) => p.cmdline).join('\n')).toContain('remote-http');
    expect(await processesMentioning('argv-secret-42')).toEqual([]);
    const get = await sparkctl([...where, 'get', '-o', 'name']);
    expect(get.stdout).toBe('sparkjob/a\n');
    // SIGHUP during that first sync is handled (it used to kill the process).
    controller.child.kill('SIGHUP');
    const status = await sparkctl([...where, 'get']);
    expect(status.code).toBe(0);
    expect(controller.child.exitCode).toBeNull();
    // SIGTERM aborts the hung fetch: the controller exits within seconds and leaves no git behind.
    expect(await stopController(controller)).toBeLessThan(5_000);
    expect(controller.child.exitCode).toBe(0);
    expect(await processesMentioning(`127.0.0.1:${hole.port}`)).toEqual([]);
    expect(await readFile(join(state, 'gitops', 'status.json'), 'utf8')).not.toContain('argv-secret-42');

    // With a short --git-timeout, sync --wait (whose default outlasts it) reports the hang and exits 1.
    controller = await startController(where, state, ['--git', hungUrl, '--git-path', 'jobs', '--interval', '10m', '--git-timeout', '2s']);
    const waited = await sparkctl([...where, 'sync', '--wait']);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toContain(`git fetch from http://127.0.0.1:${hole.port}/org/jobs.git timed out after 2s`);
    expect(waited.stdout).toContain(`Synced ${first.slice(0, 7)}`);
    expect(waited.stdout).not.toContain('argv-secret-42');
  });

  it('with --exit-when-idle, runs what the first background sync brings before it exits', async () => {
    remote = await createTestRemote();
    const sha = await remote.commit({ 'jobs/a.yaml': suspended('a') });
    root = await mkdtemp(join(tmpdir(), 'sparkctl-start-'));
    const jobs = join(root, 'jobs');
    const state = join(root, 'state');
    const res = await sparkctl([
      '--jobs',
      jobs,
      '--state-dir',
      state,
      'controller',
      '--git',
      remote.url,
      '--git-path',
      'jobs',
      '--exit-when-idle',
    ]);
    expect(res.code).toBe(0);
    expect((await readSyncStatus(state))?.revision).toBe(sha);
    expect(await readFile(join(jobs, 'a.yaml'), 'utf8')).toMatch(/^status:\n {2}phase: Suspended$/m);
  });

  it('sync --wait waits for the status-branch push and exits 1 when the remote rejects it', async () => {
    remote = await createTestRemote();
    await remote.commit({ 'jobs/a.yaml': suspended('a') });
    const hook = join(remote.bare, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "protected: no pushes" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    root = await mkdtemp(join(tmpdir(), 'sparkctl-start-'));
    const state = join(root, 'state');
    const where = ['--jobs', join(root, 'jobs'), '--state-dir', state];
    controller = await startController(where, state, [
      '--git',
      remote.url,
      '--git-path',
      'jobs',
      '--interval',
      '10m',
      '--status-branch',
      'sparkctl-status',
    ]);
    const res = await sparkctl([...where, 'sync', '--wait', '--timeout', '60s']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('status branch sparkctl-status not pushed: ');
    expect(res.stdout).toContain('protected: no pushes');
  });
});
