import { execFileSync } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Phase, SparkJobStatus } from '../../../src/api/status.js';
import { fakeJob, readFileStatus } from '../../support/controller-harness.js';
import { removeInstanceContainers, testDocker, uniqueId } from '../../support/docker.js';
import { startControllerChild, type ControllerChild } from './controller-child.js';
import { recordContainerEvents } from './docker-events.js';
import { seededRandom } from './rng.js';

/** One job of a trial and what it must end as. */
interface TrialJob {
  readonly name: string;
  readonly extra: string;
  readonly phase: Phase;
  readonly exitCode: number;
  /** Driver containers the restart policy allows: exactly this many must have been created. */
  readonly runs: number;
}

const JOBS: readonly TrialJob[] = [
  { name: 'ok-short', extra: `  sparkConf: {spark.fake.sleepSeconds: "1"}\n`, phase: 'Succeeded', exitCode: 0, runs: 1 },
  {
    name: 'fails',
    extra: `  sparkConf: {spark.fake.sleepSeconds: "1", spark.fake.exitCode: "3"}\n  restartPolicy: {type: Never}\n`,
    phase: 'Failed',
    exitCode: 3,
    runs: 1,
  },
  { name: 'ok-long', extra: `  sparkConf: {spark.fake.sleepSeconds: "2"}\n`, phase: 'Succeeded', exitCode: 0, runs: 1 },
];

/** How a kill was timed: after a delay, right after a status rename, or while the state dir is full. */
export type KillMode = 'timer' | 'on-status-write' | 'full-disk';

/** Fills the file system of `dir` until it refuses more bytes; returns the filler's path. */
function fillFileSystem(dir: string): string {
  const filler = join(dir, '.filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'ignore' });
  } catch {
    // dd stops with ENOSPC: the point.
  }
  return filler;
}

/** What one trial did and found; every count is from ground truth (engine events, file reads). */
export interface CrashTrialResult {
  readonly seed: number;
  readonly kills: ReadonlyArray<{ mode: KillMode; afterMs: number }>;
  readonly jobs: ReadonlyArray<{
    name: string;
    want: { phase: Phase; exitCode: number; runs: number };
    phase?: Phase;
    message?: string;
    exitCode?: number;
    executionAttempts?: number;
    created: number;
    started: number;
  }>;
  /** Manifest reads made while the controller wrote statuses, and how many did not parse or lost their spec. */
  readonly fileReads: number;
  readonly tornReads: string[];
  /** The user's edit made mid-run, and whether the final file still has it. */
  readonly userEditKept: boolean;
  /** Driver containers still present after the final controller stopped. */
  readonly leftoverContainers: number;
  /** Jobs that did not end as expected or ran a different number of times than their policy allows. */
  readonly lostOrDoubled: string[];
  readonly durationMs: number;
}

const USER_LABEL = 'edited-by-user';

/** Reads every manifest and records any content that is not a whole, parseable manifest. */
async function checkFiles(jobsDir: string, torn: string[]): Promise<number> {
  let reads = 0;
  for (const job of JOBS) {
    let text: string;
    try {
      text = await readFile(join(jobsDir, `${job.name}.yaml`), 'utf8');
    } catch (err) {
      torn.push(`${job.name}: unreadable (${(err as NodeJS.ErrnoException).code})`);
      continue;
    }
    reads += 1;
    const doc = parseDocument(text);
    const js = doc.errors.length === 0 ? (doc.toJS() as { metadata?: { name?: string }; spec?: { image?: string } } | null) : null;
    if (js?.metadata?.name !== job.name || js.spec?.image !== 'sparkctl/spark-fake:test')
      torn.push(`${job.name}: ${JSON.stringify(text.slice(0, 200))}`);
  }
  return reads;
}

/** Edits a manifest the way an editor does (write a copy, rename over): adds a label and a comment. */
async function userEdit(path: string, seed: number): Promise<void> {
  const text = await readFile(path, 'utf8');
  const edited = text
    .replace(/^metadata:\n/m, `metadata:\n  labels: {${USER_LABEL}: "s${seed}"}\n`)
    .replace(/^# a test job\n/, `# a test job\n# note from the user, seed ${seed}\n`);
  const tmp = `${path}.user-edit~`;
  await writeFile(tmp, edited);
  await rename(tmp, path);
}

const terminal = (s: SparkJobStatus | undefined, job: TrialJob) => s?.phase === job.phase;

/**
 * One crash trial: three jobs on the real engine, a controller process killed with SIGKILL
 * `kills` times at seeded random moments (after a random delay, or right after it renamed a
 * status into a manifest), restarted each time; a user edit lands mid-run; the files are read
 * continuously. Returns what happened; the caller asserts.
 */
export async function runCrashTrial(options: {
  seed: number;
  kills: number;
  timeoutMs?: number;
  fullDisk?: boolean;
}): Promise<CrashTrialResult> {
  const began = Date.now();
  const rand = seededRandom(options.seed);
  const root = await mkdtemp(join(tmpdir(), 'sparkctl-crash-'));
  const jobsDir = join(root, 'jobs');
  const stateDir = join(root, 'state');
  await mkdir(jobsDir);
  // With fullDisk the state dir is a small tmpfs, filled before one kill and freed before the restart.
  let mounted = false;
  if (options.fullDisk) {
    await mkdir(stateDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', stateDir]);
    mounted = true;
  }
  const instance = uniqueId('k');
  const since = await recordContainerEvents(instance);
  for (const job of JOBS) await writeFile(join(jobsDir, `${job.name}.yaml`), fakeJob(job.name, job.extra));

  const torn: string[] = [];
  let fileReads = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      fileReads += await checkFiles(jobsDir, torn);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  let statusWrites = 0;
  const writeWaiters: Array<() => void> = [];
  const watcher = watch(jobsDir, (_event, name) => {
    if (name && /^[a-z-]+\.yaml$/.test(name)) {
      statusWrites += 1;
      for (const w of writeWaiters.splice(0)) w();
    }
  });

  const kills: Array<{ mode: KillMode; afterMs: number }> = [];
  let ctl: ControllerChild | undefined;
  const editAt = 200 + Math.floor(rand() * 2500);
  const editTimer = setTimeout(() => void userEdit(join(jobsDir, `${JOBS[0]!.name}.yaml`), options.seed).catch(() => undefined), editAt);
  try {
    ctl = await startControllerChild(jobsDir, stateDir, instance);
    for (let k = 0; k < options.kills; k++) {
      const mode: KillMode = options.fullDisk && k === 0 ? 'full-disk' : rand() < 0.5 ? 'timer' : 'on-status-write';
      const t0 = Date.now();
      let filler: string | undefined;
      if (mode === 'full-disk') {
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 2500)));
        filler = fillFileSystem(stateDir);
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 2000)));
      } else if (mode === 'timer') {
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 2500)));
      } else {
        // Skip a random number of status renames, then kill right after the next one.
        const skip = Math.floor(rand() * 4);
        const target = statusWrites + skip + 1;
        const deadline = Date.now() + 4000;
        while (statusWrites < target && Date.now() < deadline) {
          await new Promise<void>((r) => {
            writeWaiters.push(r);
            setTimeout(r, 200);
          });
        }
      }
      await ctl.kill9();
      kills.push({ mode, afterMs: Date.now() - t0 });
      if (filler) await rm(filler, { force: true });
      ctl = await startControllerChild(jobsDir, stateDir, instance);
    }
    const deadline = Date.now() + (options.timeoutMs ?? 40_000);
    for (;;) {
      const statuses = await Promise.all(JOBS.map((j) => readFileStatus(join(jobsDir, `${j.name}.yaml`))));
      if (JOBS.every((j, i) => terminal(statuses[i], j))) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // A kill between a temp file's write and its rename leaves the temp file; the controller sweeps it.
    const sweepBy = Date.now() + 10_000;
    while ((await readdir(jobsDir)).some((f) => f.endsWith('.tmp')) && Date.now() < sweepBy) await new Promise((r) => setTimeout(r, 100));
    await ctl.terminate();
  } finally {
    clearTimeout(editTimer);
    await ctl?.kill9();
    polling = false;
    await poller;
    watcher.close();
  }

  const events = await since.stop();
  const leftover = await testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${instance}`] } });
  const jobs = [];
  const lostOrDoubled: string[] = [];
  for (const job of JOBS) {
    const status = await readFileStatus(join(jobsDir, `${job.name}.yaml`));
    const ev = events.get(job.name) ?? { create: 0, start: 0, destroy: 0 };
    const row = {
      name: job.name,
      want: { phase: job.phase, exitCode: job.exitCode, runs: job.runs },
      ...(status?.phase ? { phase: status.phase } : {}),
      ...(status?.message ? { message: status.message } : {}),
      ...(status?.exitCode !== undefined ? { exitCode: status.exitCode } : {}),
      ...(status?.executionAttempts !== undefined ? { executionAttempts: status.executionAttempts } : {}),
      created: ev.create,
      started: ev.start,
    };
    jobs.push(row);
    if (
      row.phase !== job.phase ||
      row.exitCode !== job.exitCode ||
      row.created !== job.runs ||
      row.started !== job.runs ||
      row.executionAttempts !== job.runs
    ) {
      lostOrDoubled.push(`${job.name}: ${JSON.stringify(row)}`);
    }
  }
  const finalText = await readFile(join(jobsDir, `${JOBS[0]!.name}.yaml`), 'utf8');
  const userEditKept =
    finalText.includes(`${USER_LABEL}: "s${options.seed}"`) && finalText.includes(`# note from the user, seed ${options.seed}`);
  const strayTemps = (await readdir(jobsDir)).filter((f) => f.endsWith('.tmp'));
  if (strayTemps.length > 0) torn.push(`temp files left in the jobs folder: ${strayTemps.join(', ')}`);
  await removeInstanceContainers(instance);
  if (mounted) execFileSync('umount', ['-l', stateDir]);
  await rm(root, { recursive: true, force: true });
  return {
    seed: options.seed,
    kills,
    jobs,
    fileReads,
    tornReads: torn,
    userEditKept,
    leftoverContainers: leftover.length,
    lostOrDoubled,
    durationMs: Date.now() - began,
  };
}

/** Totals over trials, in the words RELIABILITY.md uses. */
export function summariseCrashTrials(results: readonly CrashTrialResult[]): string {
  const kills = results.reduce((n, r) => n + r.kills.length, 0);
  const onWrite = results.reduce((n, r) => n + r.kills.filter((k) => k.mode === 'on-status-write').length, 0);
  const fullDisk = results.reduce((n, r) => n + r.kills.filter((k) => k.mode === 'full-disk').length, 0);
  const jobs = results.reduce((n, r) => n + r.jobs.length, 0);
  const lost = results.reduce((n, r) => n + r.lostOrDoubled.length, 0);
  const reads = results.reduce((n, r) => n + r.fileReads, 0);
  const torn = results.reduce((n, r) => n + r.tornReads.length, 0);
  const edits = results.filter((r) => r.userEditKept).length;
  return (
    `crash-safety: ${results.length} trials, ${kills} kill -9 (${onWrite} right after a status write, ${fullDisk} with the state dir full), ${jobs} jobs, ` +
    `jobs ending wrong, lost or run twice: ${lost}, manifest reads during writes: ${reads}, torn reads: ${torn}, ` +
    `user edits kept: ${edits}/${results.length}, seeds: ${results.map((r) => r.seed).join(',')}`
  );
}
