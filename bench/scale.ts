/**
 * Scale: many suspended manifests (no containers) in the jobs folder, the compiled controller in
 * a child process (clean RSS and CPU). Cold start to every status written, RSS once converged, CPU
 * while idle, and the latency from one file edit to its status update with all of them present.
 * The baseline of the same run is the read-parse-rewrite floor (support/rewrite-floor.ts): a
 * plain process that only reads, parses and atomically rewrites each file with a status.
 */
import { fork } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { benchDocker } from './support/docker-baseline.js';
import { benchJob, writeAtomic } from './support/manifests.js';
import { defaultMode, spawnController, type ChildController, type ProcessSample } from './support/spawn-controller.js';
import { formatMiB, formatMs, summarize, type Summary } from './support/stats.js';
import { readStatusFields, StatusWatch } from './support/status-watch.js';
import { createWorkspace } from './support/workspace.js';

/** Options of the scale benchmark. */
export interface ScaleOptions {
  /** Folder sizes to measure, smallest first (for example 1,000 and 10,000). */
  readonly sizes: readonly number[];
  /** Edits timed per size. */
  readonly edits: number;
  /** How long CPU is sampled while idle, in 5 s windows (35 s covers one 30 s relist). */
  readonly idleMs: number;
  /** Give up on convergence after this long (the figures then say how far it got). */
  readonly convergeTimeoutMs: number;
  readonly cpuProfDir?: string;
  /**
   * Manifests per folder: above it a size is spread over subfolders of this many (default
   * 1,000 for sizes over 10,000; 10,000 and less stay in one flat folder).
   */
  readonly perFolder?: number;
  /** Skip the read-parse-rewrite floor (it costs about as long as a good cold start). */
  readonly noFloor?: boolean;
}

/** The figures of one folder size. */
export interface ScalePoint {
  readonly manifests: number;
  /** Folders the manifests were spread over (1: flat). */
  readonly folders: number;
  /** Whether every status was written within convergeTimeoutMs; if not, the later figures are NaN. */
  readonly converged: boolean;
  readonly statusesWritten: number;
  /** Process spawn → every status written (includes Node and module loading); the timeout when not converged. */
  readonly coldStartMs: number;
  /** Modules loaded (runController called) → every status written. */
  readonly convergeMs: number;
  /** CPU time the controller spent from spawn to converged (user + system). */
  readonly convergeCpuMs: number;
  readonly rssBytes: number;
  /** The highest RSS of the controller up to convergence. */
  readonly peakRssBytes: number;
  readonly heapUsedBytes: number;
  /** CPU of the controller over the quietest idle window, percent of one core. */
  readonly idleCpuPercent: number;
  /** CPU averaged over the whole idle period (includes relists that fell in it), percent of one core. */
  readonly idleCpuPercentAvg: number;
  readonly idleWindowMs: number;
  readonly idlePeriodMs: number;
  readonly editToStatus: Summary;
  readonly missedEvents: number;
  /** The read-parse-rewrite floor over the same files (wall and CPU, after its modules loaded); NaN when skipped. */
  readonly floorMs: number;
  readonly floorCpuMs: number;
  /** Cold start ÷ floor (target ≤ 3 at 10,000). */
  readonly floorRatio: number;
}

/** Every size's figures; the RSS of the same process over an empty folder is the floor. */
export interface ScaleResult {
  readonly name: 'scale';
  /** 'compiled' (bin/sparkctl.js, the default) or 'tsx'. */
  readonly controller: 'compiled' | 'tsx';
  readonly emptyRssBytes: number;
  readonly points: readonly ScalePoint[];
}

const cpuMs = (a: ProcessSample, b: ProcessSample) => (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000;

async function measureIdle(controller: ChildController, idleMs: number): Promise<{ quietest: number; average: number; windowMs: number }> {
  const windowMs = Math.min(5000, idleMs);
  const first = await controller.sample();
  let prev = first;
  let prevAt = performance.now();
  const startAt = prevAt;
  let quietest = Number.POSITIVE_INFINITY;
  while (performance.now() - startAt < idleMs - 1) {
    await delay(windowMs);
    const s = await controller.sample();
    const now = performance.now();
    quietest = Math.min(quietest, (cpuMs(prev, s) / (now - prevAt)) * 100);
    prev = s;
    prevAt = now;
  }
  return { quietest, average: (cpuMs(first, prev) / (prevAt - startAt)) * 100, windowMs };
}

/** Measures one folder size. */
async function measureSize(manifests: number, options: ScaleOptions): Promise<ScalePoint> {
  const docker = benchDocker();
  const ws = await createWorkspace(`scale${manifests}`);
  const perFolder = options.perFolder ?? (manifests > 10_000 ? 1_000 : manifests);
  const folders = Math.ceil(manifests / perFolder);
  const name = (i: number) => `job-${String(i).padStart(6, '0')}`;
  const files = Array.from({ length: manifests }, (_, i) =>
    folders > 1 ? `part-${String(Math.floor(i / perFolder)).padStart(3, '0')}/${name(i)}.yaml` : `${name(i)}.yaml`,
  );
  const floor = options.noFloor ? undefined : await measureFloor(files, name);
  const dirs = [...new Set(files.map((f) => dirname(f)))];
  for (const d of dirs) await mkdir(join(ws.jobsDir, d), { recursive: true });
  for (const [i, f] of files.entries()) await writeFile(join(ws.jobsDir, f), benchJob(name(i), { suspend: true }));
  // The slow re-check reads every file still waited for: every 10 s at these sizes, so it does not compete with the controller.
  const watches = new Map(dirs.map((d) => [d, new StatusWatch(join(ws.jobsDir, d), 10_000)]));
  const watchOf = (f: string) => watches.get(dirname(f))!;
  const missed = () => [...watches.values()].reduce((n, w) => n + w.missedEvents, 0);
  let written = 0;
  const all = files.map((f) =>
    watchOf(f)
      .waitFor(basename(f), (s) => s.phase === 'Suspended', options.convergeTimeoutMs + 60_000, false)
      .then((seen) => {
        written += 1;
        return seen;
      }),
  );
  all.forEach((p) => p.catch(() => undefined));
  const controller = spawnController({
    jobsDir: ws.jobsDir,
    stateDir: ws.stateDir,
    logFile: ws.logFile,
    ...(options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}),
  });
  try {
    const loadedAt = await controller.loaded;
    let timer: NodeJS.Timeout | undefined;
    const seen = await Promise.race([
      Promise.all(all),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), options.convergeTimeoutMs))),
    ]);
    clearTimeout(timer);
    const atConverged = await controller.sample();
    const floorFigures = {
      floorMs: floor?.ms ?? Number.NaN,
      floorCpuMs: floor?.cpuMs ?? Number.NaN,
    };
    if (!seen) {
      const now = performance.now();
      return {
        manifests,
        folders,
        ...floorFigures,
        floorRatio: floor ? (now - controller.spawnedAt) / floor.ms : Number.NaN,
        converged: false,
        statusesWritten: written,
        coldStartMs: now - controller.spawnedAt,
        convergeMs: now - loadedAt,
        convergeCpuMs: (atConverged.cpu.user + atConverged.cpu.system) / 1000,
        rssBytes: atConverged.rss,
        peakRssBytes: atConverged.peakRss,
        heapUsedBytes: atConverged.heapUsed,
        idleCpuPercent: Number.NaN,
        idleCpuPercentAvg: Number.NaN,
        idleWindowMs: 0,
        idlePeriodMs: 0,
        editToStatus: summarize([]),
        missedEvents: missed(),
      };
    }
    const convergedAt = Math.max(...seen.map((s) => s.at));
    // Let the journal writes queued behind the last status finish before sampling.
    await delay(2000);
    const mem = await controller.sample();
    const idle = await measureIdle(controller, options.idleMs);

    const latencies: number[] = [];
    for (let k = 0; k < options.edits; k++) {
      const file = files[(k * 7919) % files.length]!;
      const text = await readFile(join(ws.jobsDir, file), 'utf8');
      const before = readStatusFields(text).observedSpecHash;
      const edited = text.replace(/arguments: \["[^"]*"\]/, `arguments: ["edit-${k}"]`);
      const t0 = performance.now();
      const done = watchOf(file).waitFor(
        basename(file),
        (s) => s.phase === 'Suspended' && s.observedSpecHash !== undefined && s.observedSpecHash !== before,
        60_000,
      );
      await writeAtomic(join(ws.jobsDir, dirname(file)), basename(file), edited);
      latencies.push((await done).at - t0);
    }
    return {
      manifests,
      folders,
      ...floorFigures,
      floorRatio: floor ? (convergedAt - controller.spawnedAt) / floor.ms : Number.NaN,
      converged: true,
      statusesWritten: written,
      coldStartMs: convergedAt - controller.spawnedAt,
      convergeMs: convergedAt - loadedAt,
      convergeCpuMs: (atConverged.cpu.user + atConverged.cpu.system) / 1000,
      rssBytes: mem.rss,
      peakRssBytes: mem.peakRss,
      heapUsedBytes: mem.heapUsed,
      idleCpuPercent: idle.quietest,
      idleCpuPercentAvg: idle.average,
      idleWindowMs: idle.windowMs,
      idlePeriodMs: options.idleMs,
      editToStatus: summarize(latencies),
      missedEvents: missed(),
    };
  } finally {
    for (const w of watches.values()) w.close();
    await controller.stop();
    await ws.cleanup(docker);
  }
}

/**
 * The read-parse-rewrite floor over the same files, laid out the same way in a folder of its
 * own, run in a child process (support/rewrite-floor.ts) so it has a process to itself too.
 */
async function measureFloor(files: readonly string[], name: (i: number) => string): Promise<{ ms: number; cpuMs: number }> {
  const ws = await createWorkspace(`floor${files.length}`);
  try {
    for (const d of new Set(files.map((f) => dirname(f)))) await mkdir(join(ws.jobsDir, d), { recursive: true });
    for (const [i, f] of files.entries()) await writeFile(join(ws.jobsDir, f), benchJob(name(i), { suspend: true }));
    const child = fork(join(dirname(new URL(import.meta.url).pathname), 'support', 'rewrite-floor.ts'), ['--child'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return await new Promise<{ ms: number; cpuMs: number }>((resolve, reject) => {
      child.on('message', (m: { type?: string; ms?: number; cpuMs?: number }) => {
        if (m.type === 'ready') child.send({ files: files.map((f) => join(ws.jobsDir, f)) });
        if (m.type === 'floor') resolve({ ms: m.ms!, cpuMs: m.cpuMs! });
      });
      child.once('exit', (code) => reject(new Error(`the read-parse-rewrite floor exited (${code}) before it reported`)));
    });
  } finally {
    await ws.cleanup();
  }
}

/** The RSS of the controller process over an empty jobs folder: Node and the modules (and tsx's loader under tsx). */
async function emptyRss(): Promise<number> {
  const ws = await createWorkspace('scale0');
  const controller = spawnController({ jobsDir: ws.jobsDir, stateDir: ws.stateDir, logFile: ws.logFile });
  try {
    await controller.loaded;
    await delay(1500);
    return (await controller.sample()).rss;
  } finally {
    await controller.stop();
    await ws.cleanup();
  }
}

/** Runs the scale benchmark for each size. */
export async function runScale(options: ScaleOptions): Promise<ScaleResult> {
  const points: ScalePoint[] = [];
  for (const n of options.sizes) points.push(await measureSize(n, options));
  return { name: 'scale', controller: defaultMode(), emptyRssBytes: await emptyRss(), points };
}

/** The result as the lines `npm run bench` prints. */
export function formatScale(r: ScaleResult): string {
  const how = r.controller === 'compiled' ? 'compiled bin/sparkctl.js' : 'runController under tsx';
  const lines = [`Scale: suspended manifests, ${how} in a child process (RSS over an empty folder: ${formatMiB(r.emptyRssBytes)})`];
  for (const p of r.points) {
    if (!p.converged) {
      lines.push(
        `  ${String(p.manifests).padStart(6)} manifests: NOT converged after ${formatMs(p.convergeMs)}: ${p.statusesWritten} of ${p.manifests} statuses written (${(p.statusesWritten / (p.convergeMs / 1000)).toFixed(1)}/s), ${formatMs(p.convergeCpuMs)} CPU, RSS ${formatMiB(p.rssBytes)} (heap ${formatMiB(p.heapUsedBytes)})`,
      );
      continue;
    }
    const where = p.folders > 1 ? ` in ${p.folders} folders` : '';
    const up = r.controller === 'compiled' ? 'after process start' : 'after module load';
    lines.push(
      `  ${String(p.manifests).padStart(6)} manifests${where}: cold start ${formatMs(p.coldStartMs)} (${up} ${formatMs(p.convergeMs)}, ${formatMs(p.convergeCpuMs)} CPU), RSS ${formatMiB(p.rssBytes)} (peak ${formatMiB(p.peakRssBytes)}, heap ${formatMiB(p.heapUsedBytes)})`,
      ...(Number.isNaN(p.floorMs)
        ? []
        : [
            `          read-parse-rewrite floor ${formatMs(p.floorMs)} (${formatMs(p.floorCpuMs)} CPU): cold start ÷ floor ${p.floorRatio.toFixed(2)}`,
          ]),
      `          idle CPU ${p.idleCpuPercent.toFixed(2)}% of a core (quietest ${p.idleWindowMs / 1000} s), ${p.idleCpuPercentAvg.toFixed(2)}% over ${p.idlePeriodMs / 1000} s`,
      `          edit → status p50 ${formatMs(p.editToStatus.median)}  p99 ${formatMs(p.editToStatus.p99)}  max ${formatMs(p.editToStatus.max)} (${p.editToStatus.n} edits)${p.missedEvents ? `  (${p.missedEvents} seen late by the re-check)` : ''}`,
    );
  }
  const [small, large] = [r.points[0], r.points[r.points.length - 1]];
  if (small && large && large !== small && small.converged && large.converged) {
    const k = large.manifests / small.manifests;
    lines.push(
      `  growth ×${k} manifests: cold start ×${(large.coldStartMs / small.coldStartMs).toFixed(1)}, RSS above the empty floor ×${((large.rssBytes - r.emptyRssBytes) / Math.max(1, small.rssBytes - r.emptyRssBytes)).toFixed(1)}, edit p99 ×${(large.editToStatus.p99 / small.editToStatus.p99).toFixed(1)}`,
    );
  }
  lines.push(
    '  targets at 10,000: converged ≤ 10 s and ≤ 3× the floor, RSS ≤ 300 MB, p99 edit → status ≤ 250 ms, idle CPU ≈ 0; at 100,000: ≤ 100 s, ≤ 1.5 GB',
  );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // BENCH_SIZES=1000,10000,100000 adds the 100,000 point (spread over folders of 1,000; about 15 minutes).
  const sizes = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
  console.log(
    formatScale(
      await runScale({
        sizes,
        edits: Number(process.env.BENCH_EDITS ?? 200),
        idleMs: Number(process.env.BENCH_IDLE_MS ?? 35_000),
        convergeTimeoutMs: Number(process.env.BENCH_CONVERGE_TIMEOUT_MS ?? 15 * 60_000),
        ...(process.env.BENCH_CPU_PROF ? { cpuProfDir: process.env.BENCH_CPU_PROF } : {}),
        ...(process.env.BENCH_PER_FOLDER ? { perFolder: Number(process.env.BENCH_PER_FOLDER) } : {}),
        ...(process.env.BENCH_NO_FLOOR === '1' ? { noFloor: true } : {}),
      }),
    ),
  );
}
