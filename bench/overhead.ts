/**
 * Overhead: the same trivial job run N times through sparkctl (manifest written → Succeeded in
 * its status) against `docker run --rm` of the same image and argv through the engine API.
 * Runs alternate between the two sides so drift on the machine hits both alike.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { benchDocker, benchSpec, removeBaselineLeftovers, runBaselineContainer } from './support/docker-baseline.js';
import { timeJobThroughController } from './support/run-job.js';
import { formatMs, formatRatio, summarize, type Summary } from './support/stats.js';
import { startControllerRig } from './support/controller-rig.js';

/** Options of the overhead benchmark. */
export interface OverheadOptions {
  /** Jobs per side (after one warm-up each). */
  readonly runs: number;
  /** Write a CPU profile of the controller process here. */
  readonly cpuProfDir?: string;
}

/** Per-job latency through sparkctl and through the engine API, and their ratios. */
export interface OverheadResult {
  readonly name: 'overhead';
  readonly runs: number;
  readonly sparkctl: Summary;
  readonly baseline: Summary;
  /** sparkctl median ÷ baseline median (target ≤ 1.10). */
  readonly ratio: number;
  /** sparkctl p95 ÷ baseline p95. */
  readonly p95Ratio: number;
  /** CPU time (user + system) of the controller process per sparkctl job, averaged. */
  readonly controllerCpuMsPerJob: number;
  /** Statuses found by the slow re-check instead of a file event (their times are coarse). */
  readonly missedEvents: number;
}

/** Runs the overhead benchmark. */
export async function runOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const docker = benchDocker();
  const spec = benchSpec();
  const rig = await startControllerRig('overhead', options);
  const { ws, controller, watch } = rig;
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const viaSparkctl = (name: string) => timeJobThroughController(watch, ws.jobsDir, name, {}, ws.logFile);
  const viaEngine = async (name: string) => {
    const t0 = performance.now();
    const code = await runBaselineContainer(docker, spec, name);
    if (code !== 0) throw new Error(`baseline container ${name} exited ${code}`);
    return performance.now() - t0;
  };
  try {
    await controller.loaded;
    await viaSparkctl('warmup');
    await viaEngine(`${tag}-warmup`);
    const ours: number[] = [];
    const theirs: number[] = [];
    const cpu0 = (await controller.sample()).cpu;
    for (let i = 0; i < options.runs; i++) {
      if (i % 2 === 0) {
        theirs.push(await viaEngine(`${tag}-${i}`));
        ours.push(await viaSparkctl(`job-${i}`));
      } else {
        ours.push(await viaSparkctl(`job-${i}`));
        theirs.push(await viaEngine(`${tag}-${i}`));
      }
    }
    const cpu1 = (await controller.sample()).cpu;
    const controllerCpuMsPerJob = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000 / options.runs;
    const sparkctl = summarize(ours);
    const baseline = summarize(theirs);
    return {
      name: 'overhead',
      runs: options.runs,
      sparkctl,
      baseline,
      ratio: sparkctl.median / baseline.median,
      p95Ratio: sparkctl.p95 / baseline.p95,
      controllerCpuMsPerJob,
      missedEvents: watch.missedEvents,
    };
  } finally {
    await rig.stop();
    await removeBaselineLeftovers(docker);
    await ws.cleanup(docker);
  }
}

/** The result as the lines `npm run bench` prints. */
export function formatOverhead(r: OverheadResult): string {
  const row = (label: string, s: Summary) =>
    `  ${label.padEnd(30)} median ${formatMs(s.median).padStart(9)}   p95 ${formatMs(s.p95).padStart(9)}   min ${formatMs(s.min).padStart(9)}`;
  return [
    `Overhead: one trivial job at a time, ${r.runs} runs per side (alternating)`,
    row('sparkctl (manifest → Succeeded)', r.sparkctl),
    row('engine API (docker run --rm)', r.baseline),
    `  the controller used ${formatMs(r.controllerCpuMsPerJob)} of CPU per job`,
    `  ratio (median) ${formatRatio(r.ratio)}   ratio (p95) ${formatRatio(r.p95Ratio)}   target ≤ 1.10${r.missedEvents ? `   (${r.missedEvents} statuses seen late by the re-check)` : ''}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const runs = Number(process.env.BENCH_RUNS ?? 30);
  console.log(formatOverhead(await runOverhead({ runs })));
}
