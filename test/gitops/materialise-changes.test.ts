import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitSyncer } from '../../src/gitops/git-syncer.js';
import { LocalClone } from '../../src/gitops/local-clone.js';
import { materialiseRevision } from '../../src/gitops/materialise-revision.js';
import { writeStatus } from '../../src/manifest/write-status.js';
import { createLogger } from '../../src/logger.js';
import { fakeJob } from '../support/controller-harness.js';
import { startGitDaemon, type LoopbackServer } from '../support/git-servers.js';
import { createTestRemote, type TestRemote } from './git-remote.js';

const withStatus = (text: string, phase: string) =>
  `${text}status:\n  phase: ${phase}\n  conditions: []\n  submissionAttempts: 1\n  executionAttempts: 1\n`;

async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[relative(dir, join(e.parentPath, e.name))] = await readFile(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

describe('a new revision is built from what changed since the one in use (git daemon on loopback)', () => {
  let remote: TestRemote | undefined;
  let daemon: LoopbackServer | undefined;
  let root: string | undefined;
  let syncer: GitSyncer | undefined;
  afterEach(async () => {
    await syncer?.stop();
    await daemon?.close();
    await remote?.close();
    if (root) await rm(root, { recursive: true, force: true });
    remote = daemon = root = syncer = undefined;
  });

  it('writes only the changed files and gives the same folder, orphans and invalid files as building it whole', async () => {
    remote = await createTestRemote();
    const files: Record<string, string> = {
      'jobs/notes.txt': 'notes\n',
      'jobs/bad.yaml': fakeJob('bad').replace('memory: 64m', 'memory: lots'),
      'other/x.yaml': fakeJob('x'),
    };
    for (let i = 0; i < 40; i++) files[`jobs/${i % 4 === 0 ? 'team/' : ''}job-${i}.yaml`] = fakeJob(`job-${i}`);
    await remote.commit(files);
    daemon = await startGitDaemon(remote.root);
    root = await mkdtemp(join(tmpdir(), 'sparkctl-incr-'));
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    let log = '';
    syncer = new GitSyncer({
      url: `git://127.0.0.1:${daemon.port}/remote.git`,
      ref: 'main',
      path: 'jobs',
      intervalMs: 60_000,
      prune: false,
      jobsDir,
      stateDir,
      logger: createLogger({ level: 'info', destination: { write: (l: string) => void (log += l) } }),
    });
    const first = await syncer.prepare();
    // The controller wrote statuses; one of them belongs to a file about to change in git.
    await writeFile(join(jobsDir, 'job-1.yaml'), withStatus(fakeJob('job-1'), 'Running'));
    await writeFile(join(jobsDir, 'job-2.yaml'), withStatus(fakeJob('job-2'), 'Succeeded'));
    await writeFile(join(jobsDir, 'team', 'job-4.yaml'), withStatus(fakeJob('job-4'), 'Running'));
    const snapshot = join(root, 'snapshot');
    await cp(jobsDir, snapshot, { recursive: true, dereference: true });
    log = '';
    const sha = await remote.commit({
      'jobs/job-1.yaml': fakeJob('job-1', '  arguments: ["20"]\n').replace('  arguments: ["10"]\n', ''),
      'jobs/team/job-4.yaml': null,
      'jobs/job-3.yaml': null,
      'jobs/bad.yaml': fakeJob('bad'),
      'jobs/new/job-99.yaml': fakeJob('job-99').replace('memory: 64m', 'memory: lots'),
      'other/x.yaml': fakeJob('x2'),
    });
    const status = await syncer.syncNow();
    expect(status.revision).toBe(sha);
    const line = JSON.parse(log.split('\n').find((l) => l.includes('"Synced revision"'))!) as { written: number };
    expect(line.written).toBe(3);
    expect(status.orphaned).toEqual(['job-3.yaml', 'team/job-4.yaml']);
    expect(status.invalid).toEqual(['new/job-99.yaml']);
    expect(await readFile(join(jobsDir, 'job-1.yaml'), 'utf8')).toContain('phase: Running');
    expect(await readFile(join(jobsDir, 'job-1.yaml'), 'utf8')).toContain('arguments: ["20"]');

    // Unchanged files share storage with the previous folder, but a status write replaces the file: the old folder keeps its bytes.
    const previousFolder = join(stateDir, 'gitops', 'revs', first.revision!, 'jobs');
    await writeStatus(join(jobsDir, 'job-2.yaml'), { phase: 'Failed', conditions: [], submissionAttempts: 1, executionAttempts: 1 });
    expect(await readFile(join(jobsDir, 'job-2.yaml'), 'utf8')).toContain('phase: Failed');
    expect(await readFile(join(previousFolder, 'job-2.yaml'), 'utf8')).toBe(withStatus(fakeJob('job-2'), 'Succeeded'));
    await writeFile(join(jobsDir, 'job-2.yaml'), withStatus(fakeJob('job-2'), 'Succeeded'));

    // The same revision built whole from the same starting folder.
    const clone = new LocalClone(join(stateDir, 'gitops', 'repo'), 'unused', { timeoutMs: 60_000, remote: 'test' });
    const whole = await materialiseRevision({
      clone,
      sha,
      gitPath: 'jobs',
      revsDir: join(root, 'whole'),
      folderName: 'w',
      prune: false,
      previousView: snapshot,
    });
    expect(await tree(jobsDir)).toEqual(await tree(whole.view));
    expect(status.orphaned).toEqual([...whole.orphaned].sort());
    expect(status.invalid).toEqual([...whole.invalid].sort());
  });
});
