import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitSyncer, type GitSyncOptions } from '../../src/gitops/git-syncer.js';
import { splitUrlCredentials } from '../../src/gitops/git-credentials.js';
import { redactText } from '../../src/gitops/redact-url.js';
import { describeSyncStatus, readSyncStatus } from '../../src/gitops/sync-status.js';
import { createLogger } from '../../src/logger.js';
import { fakeJob } from '../support/controller-harness.js';
import { processesMentioning, startGitDaemon, startSmartHttp, type LoopbackServer } from '../support/git-servers.js';
import { createTestRemote, type TestRemote } from './git-remote.js';

const PASSWORD = 'pw-Zq81-never-shown';

describe('git credentials never reach an argv, a status or a log (real servers on loopback)', () => {
  let remote: TestRemote | undefined;
  let server: LoopbackServer | undefined;
  let root: string | undefined;
  const syncers: GitSyncer[] = [];
  afterEach(async () => {
    for (const s of syncers.splice(0)) await s.stop();
    await server?.close();
    await remote?.close();
    if (root) await rm(root, { recursive: true, force: true });
    remote = server = root = undefined;
  });

  const setup = async (overrides: Partial<GitSyncOptions> & { url: string }) => {
    root ??= await mkdtemp(join(tmpdir(), 'sparkctl-cred-'));
    let log = '';
    const options: GitSyncOptions = {
      ref: 'main',
      path: 'jobs',
      intervalMs: 60_000,
      prune: false,
      jobsDir: join(root, 'jobs'),
      stateDir: join(root, 'state'),
      logger: createLogger({ level: 'debug', destination: { write: (l: string) => void (log += l) } }),
      ...overrides,
    };
    const syncer = new GitSyncer(options);
    syncers.push(syncer);
    return { syncer, stateDir: options.stateDir, log: () => log };
  };

  it('fetches over smart HTTP with Basic auth while no process shows the password, and never prints it', async () => {
    remote = await createTestRemote();
    const sha = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => (arrived = r));
    const http = await startSmartHttp({
      root: remote.root,
      username: 'deploy',
      password: PASSWORD,
      beforeAnswer: async (req) => {
        if (req.method !== 'POST') return;
        arrived();
        await held;
      },
    });
    server = http;
    const { syncer, stateDir, log } = await setup({ url: `http://deploy:${PASSWORD}@127.0.0.1:${http.port}/remote.git` });
    const pending = syncer.prepare();
    await inFlight;
    // The fetch is in flight (git and its remote helper run): scan every command line, as `ps` would.
    const helpers = await processesMentioning(`127.0.0.1:${http.port}`);
    const leaks = await processesMentioning(PASSWORD);
    release();
    const status = await pending;
    expect(helpers.map((p) => p.cmdline).join('\n')).toContain('remote-http');
    expect(leaks).toEqual([]);
    expect(status.error).toBeUndefined();
    expect(status.revision).toBe(sha);
    expect(await readFile(join(stateDir, 'gitops', 'status.json'), 'utf8')).not.toContain(PASSWORD);
    expect(await readFile(join(stateDir, 'gitops', 'repo', 'config'), 'utf8')).not.toContain(PASSWORD);
    expect(describeSyncStatus((await readSyncStatus(stateDir))!)).not.toContain(PASSWORD);
    expect(log()).toContain('Synced revision');
    expect(log()).not.toContain(PASSWORD);
  });

  it('reads --git-credentials-file (mode 600) and refuses one its group or others can read', async () => {
    remote = await createTestRemote();
    const sha = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    const http = await startSmartHttp({ root: remote.root, username: 'deploy', password: PASSWORD });
    server = http;
    root = await mkdtemp(join(tmpdir(), 'sparkctl-cred-'));
    const file = join(root, 'git-credentials');
    await writeFile(file, `deploy:${PASSWORD}\n`, { mode: 0o644 });
    const url = `http://127.0.0.1:${http.port}/remote.git`;
    expect(
      () =>
        new GitSyncer({
          url,
          ref: 'main',
          path: 'jobs',
          intervalMs: 60_000,
          prune: false,
          jobsDir: join(root!, 'j'),
          stateDir: join(root!, 's'),
          logger: createLogger({ level: 'silent' }),
          credentialsFile: file,
        }),
    ).toThrow(/--git-credentials-file .* is readable by its group or others \(mode 644\); run chmod 600/);
    await chmod(file, 0o600);
    const { syncer } = await setup({ url, credentialsFile: file });
    const status = await syncer.prepare();
    expect(status.error).toBeUndefined();
    expect(status.revision).toBe(sha);
    // A wrong password is refused by the server: AuthFailed, and the attempt never shows it.
    await writeFile(file, 'deploy:wrong-password-1\n');
    await remote.commit({ 'jobs/b.yaml': fakeJob('b') });
    const refused = await syncer.syncNow();
    expect(refused.error?.reason).toBe('AuthFailed');
    expect(JSON.stringify(refused)).not.toContain('wrong-password-1');
  });

  it('syncs from git://user:token@ through git daemon without "unable to look up user:token@…" reaching the status or the log', async () => {
    remote = await createTestRemote();
    const sha = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    const daemon = await startGitDaemon(remote.root);
    server = daemon;
    const { syncer, stateDir, log } = await setup({ url: `git://deploy:${PASSWORD}@127.0.0.1:${daemon.port}/remote.git` });
    const status = await syncer.prepare();
    expect(status.error).toBeUndefined();
    expect(status.revision).toBe(sha);
    expect(await readFile(join(stateDir, 'gitops', 'status.json'), 'utf8')).not.toContain(PASSWORD);
    expect(log()).not.toContain(PASSWORD);
    // The same URL with the daemon gone: git's error is recorded, with no credentials in it.
    await daemon.close();
    server = undefined;
    await remote.commit({ 'jobs/b.yaml': fakeJob('b') });
    const failed = await syncer.syncNow();
    expect(failed.error?.reason).toBe('FetchFailed');
    expect(failed.error?.message).toMatch(/unable to connect to 127\.0\.0\.1[\s\S]*Connection refused/);
    expect(await readFile(join(stateDir, 'gitops', 'status.json'), 'utf8')).not.toContain(PASSWORD);
    expect(log()).not.toContain(PASSWORD);
  });

  it('redacts userinfo in every form git prints it, and splits it out of the URL given to git', () => {
    expect(redactText(`fatal: unable to look up deploy:${PASSWORD}@127.0.0.1 (port 9418) (Name or service not known)`)).toBe(
      'fatal: unable to look up ***@127.0.0.1 (port 9418) (Name or service not known)',
    );
    expect(redactText(`fatal: unable to access 'https://u:${PASSWORD}@h/r.git/': x`)).toBe(
      "fatal: unable to access 'https://***@h/r.git/': x",
    );
    expect(redactText(`git://u:${PASSWORD}@h/r.git`)).toBe('git://***@h/r.git');
    expect(redactText('git@example.test:org/repo.git at 10:02')).toBe('git@example.test:org/repo.git at 10:02');
    expect(splitUrlCredentials(`https://deploy:${encodeURIComponent('p@ss:w')}@h/r.git`)).toEqual({
      url: 'https://h/r.git',
      credentials: { username: 'deploy', password: 'p@ss:w' },
    });
    expect(splitUrlCredentials(`git://u:${PASSWORD}@h/r.git`)).toEqual({ url: 'git://h/r.git' });
    expect(splitUrlCredentials('ssh://git:pw@h/r.git')).toEqual({ url: 'ssh://git@h/r.git' });
    expect(splitUrlCredentials('git@h:org/r.git')).toEqual({ url: 'git@h:org/r.git' });
  });
});
