/**
 * Burst: N trivial jobs dropped into the jobs folder at once (renamed into place in one loop),
 * against the same N containers run straight through the engine API by a pool of workers as
 * wide as sparkctl's concurrency (the Docker ledger's capacity ÷ the job's cores and memory).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { benchDocker, benchSpec, ledgerWidth, removeBaselineLeftovers, runBaselineContainer } from './support/docker-baseline.js';
import { benchJob, stageManifests } from './support/manifests.js';
import { timeJobThroughController } from './support/run-job.js';
import { formatMs, formatRatio, runPool } from './support/stats.js';
import { startControllerRig } from './support/controller-rig.js';

/** Options of the burst benchmark. */
export interface BurstOptions {
  readonly jobs: number;
  readonly cpuProfDir?: string;
}

/** Throughput of both sides, and their ratio. */
export interface BurstResult {
  readonly name: 'burst';
  readonly jobs: number;
  /** Jobs running at once on both sides. */
  readonly concurrency: number;
  readonly sparkctlMs: number;
  readonly baselineMs: number;
  readonly sparkctlJobsPerMin: number;
  readonly baselineJobsPerMin: number;
  /** Baseline jobs/min ÷ sparkctl jobs/min (target ≤ 1.15). */
  readonly ratio: number;
  /** CPU time (user + system) the controller process spent from the drop to the last status. */
  readonly controllerCpuMs: number;
  readonly missedEvents: number;
}

/** Runs the burst benchmark: the baseline first, then sparkctl. */
export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const docker = benchDocker();
  const spec = benchSpec();
  const concurrency = await ledgerWidth(docker, spec);
  const tag = `${process.pid}-${Date.now().toString(36)}`;

  await runBaselineContainer(docker, spec, `${tag}-warmup`);
  const b0 = performance.now();
  try {
    await runPool(
      Array.from({ length: options.jobs }, (_, i) => i),
      concurrency,
      async (i) => {
        const code = await runBaselineContainer(docker, spec, `${tag}-${i}`);
        if (code !== 0) throw new Error(`baseline container ${tag}-${i} exited ${code}`);
      },
    );
  } finally {
    await removeBaselineLeftovers(docker);
  }
  const baselineMs = performance.now() - b0;

  const rig = await startControllerRig('burst', options);
  const { ws, controller, watch } = rig;
  try {
    await controller.loaded;
    await timeJobThroughController(watch, ws.jobsDir, 'warmup', {}, ws.logFile);
    const names = Array.from({ length: options.jobs }, (_, i) => `burst-${i}`);
    const drop = await stageManifests(
      ws.jobsDir,
      names.map((n) => ({ file: `${n}.yaml`, text: benchJob(n) })),
    );
    const done = names.map((n) =>
      watch.waitFor(`${n}.yaml`, (s) => s.phase === 'Succeeded' || s.phase === 'Failed' || s.phase === 'Invalid', 30 * 60_000),
    );
    const cpu0 = (await controller.sample()).cpu;
    const s0 = performance.now();
    await drop();
    const seen = await Promise.all(done);
    const cpu1 = (await controller.sample()).cpu;
    const failed = seen.filter((s) => s.status.phase !== 'Succeeded').length;
    if (failed > 0) throw new Error(`${failed} of ${options.jobs} burst jobs did not succeed: see ${ws.logFile}`);
    const sparkctlMs = Math.max(...seen.map((s) => s.at)) - s0;
    const perMin = (ms: number) => options.jobs / (ms / 60_000);
    return {
      name: 'burst',
      jobs: options.jobs,
      concurrency,
      sparkctlMs,
      baselineMs,
      sparkctlJobsPerMin: perMin(sparkctlMs),
      baselineJobsPerMin: perMin(baselineMs),
      ratio: perMin(baselineMs) / perMin(sparkctlMs),
      controllerCpuMs: (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000,
      missedEvents: watch.missedEvents,
    };
  } finally {
    await rig.stop();
    await ws.cleanup(docker);
  }
}

/** The result as the lines `npm run bench` prints. */
export function formatBurst(r: BurstResult): string {
  return [
    `Burst: ${r.jobs} trivial jobs at once, ${r.concurrency} at a time on both sides`,
    `  sparkctl (all manifests → Succeeded)   ${r.sparkctlJobsPerMin.toFixed(1).padStart(7)} jobs/min   (${formatMs(r.sparkctlMs)}; the controller used ${formatMs(r.controllerCpuMs)} of CPU, ${formatMs(r.controllerCpuMs / r.jobs)} per job)`,
    `  engine API (${r.concurrency} workers)               ${r.baselineJobsPerMin.toFixed(1).padStart(7)} jobs/min   (${formatMs(r.baselineMs)})`,
    `  ratio ${formatRatio(r.ratio)}   target ≤ 1.15${r.missedEvents ? `   (${r.missedEvents} statuses seen late by the re-check)` : ''}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatBurst(await runBurst({ jobs: Number(process.env.BENCH_JOBS ?? 200) })));
}
