/**
 * Runs every benchmark and prints its figures: `npm run bench` (full sizes, minutes) or
 * `npm run bench:smoke` (tiny sizes, seconds). Options: `--only overhead,waves,burst,scale,mesos,cli-get`,
 * `--json FILE` (the results as JSON), `--cpu-prof DIR` (a profile of each controller process).
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureTestImages } from '../test/support/docker.js';
import { formatBurst, runBurst, type BurstResult } from './burst.js';
import { formatCliGet, runCliGet, type CliGetResult } from './cli-get.js';
import { formatMesos, runMesos, type MesosResult } from './mesos.js';
import { formatOverhead, runOverhead, type OverheadResult } from './overhead.js';
import { formatScale, runScale, type ScaleResult } from './scale.js';
import { formatWaves, runWaves, type WavesResult } from './waves.js';
import { benchDocker } from './support/docker-baseline.js';
import { formatMachine, machineInfo, type MachineInfo } from './support/machine.js';

/** The benchmarks, by name. */
export const BENCHMARKS = ['overhead', 'waves', 'burst', 'scale', 'mesos', 'cli-get'] as const;
/** A benchmark's name. */
export type BenchmarkName = (typeof BENCHMARKS)[number];
/** Any benchmark's result. */
export type BenchResult = OverheadResult | WavesResult | BurstResult | ScaleResult | MesosResult | CliGetResult;

/** The sizes of a full run and of the smoke run. */
export const SIZES = {
  full: {
    overhead: { runs: 30 },
    waves: { jobs: 6, rounds: 5 },
    burst: { jobs: 200 },
    scale: { sizes: [1000, 10_000], edits: 200, idleMs: 35_000, convergeTimeoutMs: 10 * 60_000 },
    mesos: { tasks: 500, agents: 2, agentCpus: 1, agentMemMiB: 1024, allocationIntervalSeconds: 1 },
    'cli-get': { sizes: [1000, 10_000], runs: 7 },
  },
  smoke: {
    overhead: { runs: 2 },
    waves: { jobs: 3, rounds: 1 },
    burst: { jobs: 6 },
    scale: { sizes: [20, 60], edits: 3, idleMs: 1000, convergeTimeoutMs: 120_000 },
    mesos: { tasks: 4, agents: 2, agentCpus: 1, agentMemMiB: 1024, allocationIntervalSeconds: 1 },
    'cli-get': { sizes: [30], runs: 1 },
  },
} as const;

/** Options of a run of several benchmarks. */
export interface RunOptions {
  readonly smoke: boolean;
  readonly only?: readonly BenchmarkName[];
  readonly cpuProfDir?: string;
  /** Called with each benchmark's printed figures as it finishes. */
  readonly onResult?: (text: string, result: BenchResult) => void;
}

/** Runs the chosen benchmarks one after another (never in parallel: they share the engine). */
export async function runBenchmarks(options: RunOptions): Promise<{ machine: MachineInfo; results: BenchResult[]; loadAtEnd: number }> {
  const docker = benchDocker();
  await ensureTestImages(docker);
  const machine = await machineInfo(docker);
  const sizes = options.smoke ? SIZES.smoke : SIZES.full;
  const prof = options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {};
  const results: BenchResult[] = [];
  const report = (text: string, r: BenchResult) => {
    results.push(r);
    options.onResult?.(text, r);
  };
  const want = (n: BenchmarkName) => !options.only || options.only.includes(n);
  if (want('overhead')) {
    const r = await runOverhead({ ...sizes.overhead, ...prof });
    report(formatOverhead(r), r);
  }
  if (want('waves')) {
    const r = await runWaves({ ...sizes.waves, ...prof });
    report(formatWaves(r), r);
  }
  if (want('burst')) {
    const r = await runBurst({ ...sizes.burst, ...prof });
    report(formatBurst(r), r);
  }
  if (want('scale')) {
    const r = await runScale({ ...sizes.scale, ...prof });
    report(formatScale(r), r);
  }
  if (want('mesos')) {
    const r = await runMesos({ ...sizes.mesos, ...prof });
    report(formatMesos(r), r);
  }
  if (want('cli-get')) {
    // The compiled CLI (bin/sparkctl.js): npm ci builds it (prepare), npm run build after a change.
    const r = await runCliGet(sizes['cli-get']);
    report(formatCliGet(r), r);
  }
  return { machine, results, loadAtEnd: loadavg()[0] ?? 0 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      json: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
  });
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !(BENCHMARKS as readonly string[]).includes(n)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`--only: unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.join(', ')}\n`);
    process.exit(2);
  }
  const docker = benchDocker();
  console.log(formatMachine(await machineInfo(docker)));
  console.log(values.smoke ? 'Smoke sizes: the figures only show that each benchmark runs.\n' : '');
  const started = Date.now();
  const out = await runBenchmarks({
    smoke: values.smoke,
    ...(only ? { only: only as BenchmarkName[] } : {}),
    ...(values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {}),
    onResult: (text) => console.log(`${text}\n`),
  });
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s; load ${out.loadAtEnd.toFixed(2)} at the end.`);
  if (values.json)
    await writeFile(values.json, `${JSON.stringify({ ...out, date: new Date().toISOString(), smoke: values.smoke }, null, 2)}\n`);
}
