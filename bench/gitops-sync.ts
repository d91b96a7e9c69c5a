/**
 * GitOps sync at scale: a repository of N suspended manifests served by `git daemon` on loopback,
 * a one-line change pushed, and the time from the push to the new revision applied (the jobs
 * link flipped to a folder with statuses carried). Baseline in the same run: building that same
 * revision whole (checkout of every file, every manifest read and parsed). Run alone:
 * `BENCH_MANIFESTS=10000 BENCH_EDITS=10 npx tsx bench/gitops-sync.ts`.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { GitSyncer } from '../src/gitops/git-syncer.js';
import { LocalClone } from '../src/gitops/local-clone.js';
import { materialiseRevision } from '../src/gitops/materialise-revision.js';
import { silentLogger } from '../src/logger.js';
import { createTestRemote } from '../test/gitops/git-remote.js';
import { startGitDaemon } from '../test/support/git-servers.js';
import { benchJob } from './support/manifests.js';
import { formatMs, summarize, type Summary } from './support/stats.js';

const run = promisify(execFile);

/** The figures of one run. */
export interface GitopsSyncResult {
  readonly name: 'gitops-sync';
  readonly manifests: number;
  /** Push → revision applied, building only what changed. */
  readonly applied: Summary;
  /** The same revisions built whole from the same folder (the old way). */
  readonly whole: Summary;
  /** The first sync (clone and build of every file). */
  readonly firstSyncMs: number;
}

/** Runs the benchmark: `manifests` files, `edits` one-line pushes. */
export async function runGitopsSync(options: { manifests: number; edits: number }): Promise<GitopsSyncResult> {
  const remote = await createTestRemote();
  const root = await mkdtemp(join(tmpdir(), 'sparkctl-bench-gitops-'));
  const work = join(remote.root, 'work');
  await mkdir(join(work, 'jobs'), { recursive: true });
  for (let i = 0; i < options.manifests; i++) await writeFile(join(work, 'jobs', `job-${i}.yaml`), benchJob(`job-${i}`, { suspend: true }));
  await remote.git('add', '-A');
  await remote.git('commit', '--quiet', '-m', 'Many jobs');
  await remote.git('push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  const daemon = await startGitDaemon(remote.root);
  const jobsDir = join(root, 'jobs');
  const stateDir = join(root, 'state');
  const syncer = new GitSyncer({
    url: `git://127.0.0.1:${daemon.port}/remote.git`,
    ref: 'main',
    path: 'jobs',
    intervalMs: 3_600_000,
    prune: false,
    jobsDir,
    stateDir,
    logger: silentLogger(),
  });
  try {
    let t = performance.now();
    await syncer.prepare();
    const firstSyncMs = performance.now() - t;
    const applied: number[] = [];
    const whole: number[] = [];
    const clone = new LocalClone(join(stateDir, 'gitops', 'repo'), 'unused', { timeoutMs: 600_000, remote: 'bench' });
    for (let e = 0; e < options.edits; e++) {
      const before = join(root, `before-${e}`);
      await cp(jobsDir, before, { recursive: true, dereference: true });
      const i = (e * 7919) % options.manifests;
      await writeFile(
        join(work, 'jobs', `job-${i}.yaml`),
        benchJob(`job-${i}`, { suspend: true }).replace('suspend: true', `suspend: true\n  # edit ${e}`),
      );
      t = performance.now();
      await remote.git('commit', '--quiet', '-am', `Edit ${e}`);
      await remote.git('push', '--quiet', 'origin', 'HEAD:refs/heads/main');
      const status = await syncer.syncNow();
      applied.push(performance.now() - t);
      if (status.error) throw new Error(`sync failed: ${status.error.message}`);
      t = performance.now();
      await materialiseRevision({
        clone,
        sha: status.revision!,
        gitPath: 'jobs',
        revsDir: join(root, 'whole'),
        folderName: `w${e}`,
        prune: false,
        previousView: before,
      });
      whole.push(performance.now() - t);
      await rm(join(root, 'whole'), { recursive: true, force: true });
      await rm(before, { recursive: true, force: true });
    }
    return { name: 'gitops-sync', manifests: options.manifests, applied: summarize(applied), whole: summarize(whole), firstSyncMs };
  } finally {
    await syncer.stop();
    await daemon.close();
    if (!process.env.SPARKCTL_BENCH_KEEP) {
      await remote.close();
      await rm(root, { recursive: true, force: true });
    }
  }
}

/** The printed figures. */
export function formatGitopsSync(r: GitopsSyncResult): string {
  return [
    `GitOps sync, ${r.manifests} manifests over git daemon (one-line change per push)`,
    `  push → applied (changes only):  median ${formatMs(r.applied.median)}, p95 ${formatMs(r.applied.p95)} (n=${r.applied.n})`,
    `  building the revision whole:    median ${formatMs(r.whole.median)} (baseline, same revisions)`,
    `  ratio whole / changes only:     ${(r.whole.median / r.applied.median).toFixed(1)}×`,
    `  first sync (clone + build all): ${formatMs(r.firstSyncMs)}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run('git', ['--version']);
  const r = await runGitopsSync({ manifests: Number(process.env.BENCH_MANIFESTS ?? 10_000), edits: Number(process.env.BENCH_EDITS ?? 10) });
  console.log(formatGitopsSync(r));
}
