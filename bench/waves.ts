/**
 * Waves: a small batch (6 trivial jobs) dropped at once into a warm controller, so the Docker
 * ledger runs them in waves of its width, against the same containers run through the engine
 * API by a pool of that width. Rounds alternate between the two sides so drift hits both; the
 * ratio is median round ÷ median round. The controller's CPU per job is reported.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { benchDocker, benchSpec, ledgerWidth, removeBaselineLeftovers, runBaselineContainer } from './support/docker-baseline.js';
import { benchJob, stageManifests } from './support/manifests.js';
import { FINAL_PHASES, timeJobThroughController } from './support/run-job.js';
import { formatMs, formatRatio, runPool, summarize, type Summary } from './support/stats.js';
import { startControllerRig } from './support/controller-rig.js';

/** Options of the waves benchmark. */
export interface WavesOptions {
  /** Jobs per batch (6 in the issue's case). */
  readonly jobs: number;
  /** Batches per side (after one warm-up job each). */
  readonly rounds: number;
  readonly cpuProfDir?: string;
}

/** Batch times of both sides, their ratio, and the controller's CPU per job. */
export interface WavesResult {
  readonly name: 'waves';
  readonly jobs: number;
  readonly rounds: number;
  /** The ledger's width: jobs running at once on both sides. */
  readonly concurrency: number;
  readonly sparkctl: Summary;
  readonly baseline: Summary;
  /** sparkctl median ÷ baseline median (target ≤ 1.25). */
  readonly ratio: number;
  readonly controllerCpuMsPerJob: number;
  readonly missedEvents: number;
}

/** Runs the waves benchmark. */
export async function runWaves(options: WavesOptions): Promise<WavesResult> {
  const docker = benchDocker();
  const spec = benchSpec();
  const concurrency = await ledgerWidth(docker, spec);
  const rig = await startControllerRig('waves', options);
  const { ws, controller, watch } = rig;
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const viaEngine = async (round: number) => {
    const t0 = performance.now();
    await runPool(
      Array.from({ length: options.jobs }, (_, i) => i),
      concurrency,
      async (i) => {
        const code = await runBaselineContainer(docker, spec, `${tag}-${round}-${i}`);
        if (code !== 0) throw new Error(`baseline container ${tag}-${round}-${i} exited ${code}`);
      },
    );
    return performance.now() - t0;
  };
  let cpuMs = 0;
  const viaSparkctl = async (round: number) => {
    const names = Array.from({ length: options.jobs }, (_, i) => `wave-${round}-${i}`);
    const drop = await stageManifests(
      ws.jobsDir,
      names.map((n) => ({ file: `${n}.yaml`, text: benchJob(n) })),
    );
    const done = names.map((n) => watch.waitFor(`${n}.yaml`, (s) => FINAL_PHASES.has(s.phase ?? ''), 10 * 60_000));
    const cpu0 = (await controller.sample()).cpu;
    const t0 = performance.now();
    await drop();
    const seen = await Promise.all(done);
    const cpu1 = (await controller.sample()).cpu;
    cpuMs += (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000;
    const failed = seen.filter((s) => s.status.phase !== 'Succeeded').length;
    if (failed > 0) throw new Error(`${failed} of ${options.jobs} jobs of round ${round} did not succeed: see ${ws.logFile}`);
    return Math.max(...seen.map((s) => s.at)) - t0;
  };
  try {
    await controller.loaded;
    await timeJobThroughController(watch, ws.jobsDir, 'warmup', {}, ws.logFile);
    await runBaselineContainer(docker, spec, `${tag}-warmup`);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < options.rounds; r++) {
      if (r % 2 === 0) {
        theirs.push(await viaEngine(r));
        ours.push(await viaSparkctl(r));
      } else {
        ours.push(await viaSparkctl(r));
        theirs.push(await viaEngine(r));
      }
    }
    const sparkctl = summarize(ours);
    const baseline = summarize(theirs);
    return {
      name: 'waves',
      jobs: options.jobs,
      rounds: options.rounds,
      concurrency,
      sparkctl,
      baseline,
      ratio: sparkctl.median / baseline.median,
      controllerCpuMsPerJob: cpuMs / (options.jobs * options.rounds),
      missedEvents: watch.missedEvents,
    };
  } finally {
    await rig.stop();
    await removeBaselineLeftovers(docker);
    await ws.cleanup(docker);
  }
}

/** The result as the lines `npm run bench` prints. */
export function formatWaves(r: WavesResult): string {
  const waves = Math.ceil(r.jobs / r.concurrency);
  const row = (label: string, s: Summary) =>
    `  ${label.padEnd(34)} median ${formatMs(s.median).padStart(9)}   max ${formatMs(s.max).padStart(9)}`;
  return [
    `Waves: ${r.jobs} trivial jobs at once into a warm controller, ${r.concurrency} at a time (${waves} waves), ${r.rounds} rounds per side (alternating)`,
    row('sparkctl (all manifests → Succeeded)', r.sparkctl),
    row(`engine API (${r.concurrency} workers)`, r.baseline),
    `  the controller used ${formatMs(r.controllerCpuMsPerJob)} of CPU per job`,
    `  ratio (median) ${formatRatio(r.ratio)}   target ≤ 1.25${r.missedEvents ? `   (${r.missedEvents} statuses seen late by the re-check)` : ''}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatWaves(await runWaves({ jobs: Number(process.env.BENCH_JOBS ?? 6), rounds: Number(process.env.BENCH_ROUNDS ?? 5) })));
}
