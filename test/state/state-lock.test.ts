import { createConnection } from 'node:net';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_SOCKET, requestControl } from '../../src/state/control-socket.js';
import { ControllerLockedError } from '../../src/state/errors.js';
import { acquireStateLock, readLiveLock } from '../../src/state/state-lock.js';
import { ensureBuilt, runCli, startCli, type CliProcess } from '../e2e/support/cli.js';

const staleLock = (pid: number) => JSON.stringify({ pid, startedAt: '2020-01-01T00:00:00.000Z', jobsDir: '/gone' });

let root: string;
const procs: CliProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGTERM');
      await p.exited();
    }
  }
  await rm(root, { recursive: true, force: true });
});

describe('state lock (in process)', () => {
  it.each([
    ['pid 1, as a controller that was pid 1 in its container left it', 1],
    ['a pid that is alive but no controller (this test runner)', process.pid],
  ])('a lock file naming %s does not stop a new controller', async (_what, pid) => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-lock-'));
    await writeFile(join(root, 'controller.lock'), staleLock(pid));
    expect(await readLiveLock(root)).toBeUndefined();
    const release = await acquireStateLock(root, { jobsDir: '/jobs' });
    expect(await readLiveLock(root)).toMatchObject({ pid: process.pid, jobsDir: '/jobs' });
    expect((await stat(join(root, CONTROL_SOCKET))).mode & 0o777).toBe(0o600);
    await expect(acquireStateLock(root, { jobsDir: '/jobs' })).rejects.toThrow(ControllerLockedError);
    await release();
    expect(await readLiveLock(root)).toBeUndefined();
    await (
      await acquireStateLock(root, { jobsDir: '/jobs' })
    )();
  });
});

describe('control socket', () => {
  it('hands trigger and rerun with a valid name to the controller, refuses them without a handler, and never passes on a bad name', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-lock-'));
    const bare = await acquireStateLock(root, { jobsDir: '/jobs' });
    try {
      expect(await requestControl(root, { op: 'trigger', name: 'nightly' })).toEqual({
        ok: false,
        error: 'this controller takes no trigger requests',
      });
    } finally {
      await bare();
    }
    const seen: string[] = [];
    const release = await acquireStateLock(root, { jobsDir: '/jobs' }, async (request) => {
      seen.push(`${request.op} ${request.name}`);
      return { ok: true, info: { run: `${request.name}-1` } };
    });
    try {
      expect(await requestControl(root, { op: 'trigger', name: 'nightly' })).toEqual({ ok: true, info: { run: 'nightly-1' } });
      expect(await requestControl(root, { op: 'rerun', name: 'nightly-1764554400' })).toEqual({
        ok: true,
        info: { run: 'nightly-1764554400-1' },
      });
      for (const name of ['../x', 'UPPER', 'a'.repeat(64), '']) {
        expect(await requestControl(root, { op: 'trigger', name })).toEqual({ ok: false, error: 'unknown request' });
      }
      expect(seen).toEqual(['trigger nightly', 'rerun nightly-1764554400']);
    } finally {
      await release();
    }
  });

  it('hands a sync request to the SIGHUP listeners in-process, refuses it without one, and answers garbage with an error', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-lock-'));
    const release = await acquireStateLock(root, { jobsDir: '/jobs' });
    try {
      expect(await requestControl(root, { op: 'sync' })).toEqual({ ok: false, error: 'this controller takes no sync requests' });
      let hangups = 0;
      const onHangup = () => (hangups += 1);
      process.on('SIGHUP', onHangup);
      try {
        expect(await requestControl(root, { op: 'sync' })).toEqual({ ok: true });
      } finally {
        process.off('SIGHUP', onHangup);
      }
      expect(hangups).toBe(1);
      const raw = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = createConnection(join(root, CONTROL_SOCKET), () => socket.write('{"op":"shutdown"}\n'));
        socket.setEncoding('utf8').on('data', (d: string) => (text += d));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(JSON.parse(raw)).toEqual({ ok: false, error: 'unknown request' });
    } finally {
      await release();
    }
    expect(await requestControl(root, { op: 'info' })).toBe('none');
  });
});

describe('state lock between controller processes', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  const start = async (where: string[]) => {
    const p = startCli([...where, 'controller'], { env: { SPARKCTL_LOG_LEVEL: 'warn' } });
    procs.push(p);
    const state = where[3]!;
    const deadline = Date.now() + 30_000;
    while ((await readLiveLock(state))?.pid !== p.child.pid) {
      if (Date.now() > deadline || p.child.exitCode !== null) throw new Error(`controller did not start: ${p.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return p;
  };

  it('a second controller exits with a clear error, and SIGKILL of the holder frees the lock at once', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-lock-'));
    const jobs = join(root, 'jobs');
    const state = join(root, 'state');
    await mkdir(jobs);
    await mkdir(state, { mode: 0o700 });
    await writeFile(join(state, 'controller.lock'), staleLock(1));
    const where = ['--jobs', jobs, '--state-dir', state];
    const first = await start(where);

    const second = await runCli([...where, 'controller']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`another controller (pid ${first.child.pid}, started `);
    expect(second.stderr).toContain(`already runs on ${jobs}; its state dir is ${state}. Stop it first`);
    expect(first.child.exitCode).toBeNull();

    first.child.kill('SIGKILL');
    await first.exited();
    // The killed controller's socket file is still there, but nothing answers on it.
    await stat(join(state, CONTROL_SOCKET));
    expect(await readLiveLock(state)).toBeUndefined();
    const third = await start(where);
    expect((await readLiveLock(state))?.pid).toBe(third.child.pid);
  });

  it('without the flock command the controller refuses to start and names it', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-lock-'));
    await mkdir(join(root, 'jobs'));
    await mkdir(join(root, 'empty-path'));
    const res = await runCli(['--jobs', join(root, 'jobs'), '--state-dir', join(root, 'state'), 'controller'], {
      env: { PATH: join(root, 'empty-path') },
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('the flock command was not found on PATH: install util-linux (or BusyBox)');
  });
});
