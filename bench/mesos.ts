/**
 * Mesos: N short tasks through the emulated master (protocol-faithful, in this process; tasks run
 * as real containers on the local engine) with sparkctl as the framework (controller in a child
 * process). Offer → launch latency (OFFERS event sent → ACCEPT with LAUNCH received) and
 * throughput, against the same containers run straight through the engine API with as many
 * workers as the agents have slots.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { driverMemoryWithOverheadMiB } from '../src/backends/spark-submit.js';
import { startMesosMaster } from '../test/support/mesos-emulator/index.js';
import { benchDocker, benchSpec, removeBaselineLeftovers, runBaselineContainer } from './support/docker-baseline.js';
import { benchJob, stageManifests } from './support/manifests.js';
import { clockEmulatorMessages } from './support/message-clock.js';
import { FINAL_PHASES, timeJobThroughController } from './support/run-job.js';
import { formatMs, formatRatio, runPool, summarize, type Summary } from './support/stats.js';
import { startControllerRig } from './support/controller-rig.js';

/** Options of the Mesos benchmark. */
export interface MesosOptions {
  readonly tasks: number;
  readonly agents: number;
  readonly agentCpus: number;
  readonly agentMemMiB: number;
  /** The master's allocation interval (Mesos's default is 1 s). */
  readonly allocationIntervalSeconds: number;
  readonly cpuProfDir?: string;
}

/** Throughput both ways and the framework's offer → launch latency. */
export interface MesosResult {
  readonly name: 'mesos';
  readonly tasks: number;
  readonly agents: number;
  /** Tasks that fit on all agents at once (and baseline workers). */
  readonly slots: number;
  readonly allocationIntervalSeconds: number;
  readonly sparkctlMs: number;
  readonly baselineMs: number;
  readonly sparkctlTasksPerMin: number;
  readonly baselineTasksPerMin: number;
  /** Baseline tasks/min ÷ sparkctl tasks/min. */
  readonly ratio: number;
  /** OFFERS event sent → the ACCEPT (LAUNCH) call carrying the task received, per launched task. */
  readonly offerToLaunch: Summary;
  readonly offersSent: number;
  readonly offersDeclined: number;
  /** Tasks launched, and the ACCEPT calls that carried them. */
  readonly launches: number;
  readonly launchAccepts: number;
  readonly revives: number;
  readonly missedEvents: number;
}

interface OfferIds {
  offers?: { offers?: Array<{ id: { value: string } }> };
  accept?: { offer_ids?: Array<{ value: string }>; operations?: Array<{ type: string; launch?: { task_infos?: unknown[] } }> };
  decline?: { offer_ids?: Array<{ value: string }> };
  type?: string;
}

/** Runs the Mesos benchmark: the engine baseline first, then sparkctl through the emulator. */
export async function runMesos(options: MesosOptions): Promise<MesosResult> {
  const docker = benchDocker();
  const spec = benchSpec();
  const perAgent = Math.min(
    Math.floor(options.agentCpus / spec.driver.cores + 1e-9),
    Math.floor(options.agentMemMiB / driverMemoryWithOverheadMiB(spec)),
  );
  const slots = Math.max(1, perAgent * options.agents);
  const tag = `${process.pid}-${Date.now().toString(36)}`;

  await runBaselineContainer(docker, spec, `${tag}-warmup`);
  const b0 = performance.now();
  try {
    await runPool(
      Array.from({ length: options.tasks }, (_, i) => i),
      slots,
      async (i) => {
        const code = await runBaselineContainer(docker, spec, `${tag}-m${i}`);
        if (code !== 0) throw new Error(`baseline container ${tag}-m${i} exited ${code}`);
      },
    );
  } finally {
    await removeBaselineLeftovers(docker);
  }
  const baselineMs = performance.now() - b0;

  const clock = clockEmulatorMessages();
  const master = await startMesosMaster({
    agents: Array.from({ length: options.agents }, () => ({ cpus: options.agentCpus, mem: options.agentMemMiB })),
    allocationIntervalSeconds: options.allocationIntervalSeconds,
    docker,
  });
  const rig = await startControllerRig('mesos', options);
  const { ws, controller, watch } = rig;
  const mesosMaster = `mesos://127.0.0.1:${master.port}`;
  try {
    await controller.loaded;
    await timeJobThroughController(watch, ws.jobsDir, 'warmup', { mesosMaster }, ws.logFile);
    const first = master.messages().length;
    const names = Array.from({ length: options.tasks }, (_, i) => `task-${i}`);
    const drop = await stageManifests(
      ws.jobsDir,
      names.map((n) => ({ file: `${n}.yaml`, text: benchJob(n, { mesosMaster }) })),
    );
    const done = names.map((n) => watch.waitFor(`${n}.yaml`, (s) => FINAL_PHASES.has(s.phase ?? ''), 60 * 60_000));
    const s0 = performance.now();
    await drop();
    const seen = await Promise.all(done);
    const failed = seen.filter((s) => s.status.phase !== 'Succeeded').length;
    if (failed > 0) throw new Error(`${failed} of ${options.tasks} Mesos jobs did not succeed: see ${ws.logFile}`);
    const sparkctlMs = Math.max(...seen.map((s) => s.at)) - s0;

    const messages = master.messages().slice(first);
    const times = clock.times.slice(first);
    const offeredAt = new Map<string, number>();
    const latencies: number[] = [];
    let offersDeclined = 0;
    let launchAccepts = 0;
    let revives = 0;
    messages.forEach((m, i) => {
      const body = m.body as OfferIds;
      if (m.dir === 'event' && body.type === 'OFFERS') for (const o of body.offers?.offers ?? []) offeredAt.set(o.id.value, times[i]!);
      if (m.dir === 'call' && body.type === 'DECLINE') offersDeclined += body.decline?.offer_ids?.length ?? 0;
      if (m.dir === 'call' && body.type === 'REVIVE') revives++;
      const tasks =
        m.dir === 'call' && body.type === 'ACCEPT'
          ? (body.accept?.operations ?? []).reduce((n, op) => n + (op.type === 'LAUNCH' ? (op.launch?.task_infos?.length ?? 0) : 0), 0)
          : 0;
      if (tasks > 0) {
        launchAccepts++;
        // One latency per task launched: from the earliest of the ACCEPT's offers being sent.
        const at = Math.min(...(body.accept?.offer_ids ?? []).map((id) => offeredAt.get(id.value) ?? Number.POSITIVE_INFINITY));
        if (Number.isFinite(at)) for (let t = 0; t < tasks; t++) latencies.push(times[i]! - at);
      }
    });
    const perMin = (ms: number) => options.tasks / (ms / 60_000);
    return {
      name: 'mesos',
      tasks: options.tasks,
      agents: options.agents,
      slots,
      allocationIntervalSeconds: options.allocationIntervalSeconds,
      sparkctlMs,
      baselineMs,
      sparkctlTasksPerMin: perMin(sparkctlMs),
      baselineTasksPerMin: perMin(baselineMs),
      ratio: perMin(baselineMs) / perMin(sparkctlMs),
      offerToLaunch: summarize(latencies),
      offersSent: offeredAt.size,
      offersDeclined,
      launches: latencies.length,
      launchAccepts,
      revives,
      missedEvents: watch.missedEvents,
    };
  } finally {
    await rig.stop();
    await master.close();
    clock.restore();
    await ws.cleanup(docker);
  }
}

/** The result as the lines `npm run bench` prints. */
export function formatMesos(r: MesosResult): string {
  return [
    `Mesos: ${r.tasks} short tasks through the emulated master, ${r.agents} agents (${r.slots} slots), allocation every ${r.allocationIntervalSeconds} s`,
    `  sparkctl as the framework (manifests → Succeeded) ${r.sparkctlTasksPerMin.toFixed(1).padStart(7)} tasks/min   (${formatMs(r.sparkctlMs)})`,
    `  engine API (${r.slots} workers)                          ${r.baselineTasksPerMin.toFixed(1).padStart(7)} tasks/min   (${formatMs(r.baselineMs)})`,
    `  ratio ${formatRatio(r.ratio)}`,
    `  offer → launch: median ${formatMs(r.offerToLaunch.median)}  p95 ${formatMs(r.offerToLaunch.p95)}  max ${formatMs(r.offerToLaunch.max)} (${r.launches} tasks in ${r.launchAccepts} ACCEPTs; ${r.offersSent} offers sent, ${r.offersDeclined} declined; ${r.revives} REVIVEs)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const e = process.env;
  console.log(
    formatMesos(
      await runMesos({
        tasks: Number(e.BENCH_TASKS ?? 500),
        agents: Number(e.BENCH_AGENTS ?? 2),
        agentCpus: Number(e.BENCH_AGENT_CPUS ?? 1),
        agentMemMiB: Number(e.BENCH_AGENT_MEM ?? 1024),
        allocationIntervalSeconds: Number(e.BENCH_ALLOCATION_S ?? 1),
      }),
    ),
  );
}
