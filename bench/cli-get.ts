/**
 * `sparkctl get` at scale: N manifests with journal records, the compiled CLI (`bin/sparkctl.js`)
 * run as a user runs it, one process per call. Timed: `get` with no read cache (every manifest
 * parsed, every record read), `get` and `get NAME` with the cache current, and the job names
 * shell completion asks for (`__complete-jobs`). Baselines in the same run: `node -e ''` (the floor
 * of any Node program) and a `node -e` that reads every manifest raw (what any reader of the folder pays).
 * Run alone: `BENCH_MANIFESTS=1000,10000 BENCH_RUNS=7 npx tsx bench/cli-get.ts` (needs `npm run build`).
 * Before and after a change: `BENCH_BEFORE_BIN=/copy/of/the/old/bin/sparkctl.js` (a copy of `bin/` and
 * `dist/` built from the old code) also times that program, alternated with this one, on a copy
 * of the state dir (each keeps its own read cache).
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PHASES, type SparkJobStatus } from '../src/api/status.js';
import { journalPaths } from '../src/state/journal-paths.js';
import { benchJob } from './support/manifests.js';
import { formatMs, formatRatio, runPool, summarize, type Summary } from './support/stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'sparkctl.js');

/** The figures of one folder size. */
export interface CliGetPoint {
  readonly manifests: number;
  /** `node -e ''`. */
  readonly node: Summary;
  /** `node -e` reading every manifest file raw. */
  readonly readRaw: Summary;
  /** The first `get`: no cache, every manifest parsed. */
  readonly coldGetMs: number;
  readonly get: Summary;
  readonly getName: Summary;
  readonly completeNames: Summary;
  /** The same three, by the program of BENCH_BEFORE_BIN, alternated with these. */
  readonly before?: { readonly get: Summary; readonly getName: Summary; readonly completeNames: Summary };
}

/** Every size's figures. */
export interface CliGetResult {
  readonly name: 'cli-get';
  readonly points: readonly CliGetPoint[];
}

/** N manifests (60 s old) with a journal record and a first event each, as a controller leaves them. */
export async function writeFixture(root: string, manifests: number): Promise<{ jobsDir: string; stateDir: string }> {
  const jobsDir = join(root, 'jobs');
  const stateDir = join(root, 'state');
  await mkdir(jobsDir, { recursive: true });
  const names = Array.from({ length: manifests }, (_, i) => `job-${String(i).padStart(5, '0')}`);
  // Older than the cache's settle time, as files that were not just written.
  const past = new Date(Date.now() - 60_000);
  await runPool(names, 16, async (name, i) => {
    const file = join(jobsDir, `${name}.yaml`);
    await writeFile(file, benchJob(name));
    await utimes(file, past, past);
    const phase = PHASES[i % PHASES.length]!;
    const status: SparkJobStatus = { phase, conditions: [], submissionAttempts: 1, executionAttempts: 1, message: `${phase} for a while` };
    await mkdir(journalPaths.job(stateDir, name), { recursive: true });
    const time = new Date(Date.now() - i * 1000).toISOString();
    await writeFile(journalPaths.record(stateDir, name), JSON.stringify({ name, file: `${name}.yaml`, status, updatedAt: time }));
    await writeFile(
      journalPaths.events(stateDir, name),
      `${JSON.stringify({ time, type: 'Normal', reason: 'Added', message: 'added' })}\n`,
    );
  });
  return { jobsDir, stateDir };
}

/** Runs a command to the end and returns its wall time; fails on a non-zero exit. */
function timed(args: readonly string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (err) => {
      if (err) reject(err);
      else resolve(performance.now() - started);
    });
  });
}

/** Alternates the commands run after run, so drift on a shared machine hits each alike. */
async function alternate(runs: number, commands: ReadonlyArray<readonly string[]>): Promise<Summary[]> {
  const samples: number[][] = commands.map(() => []);
  for (let r = 0; r < runs; r++) for (const [i, c] of commands.entries()) samples[i]!.push(await timed(c));
  return samples.map(summarize);
}

/** The three timed CLI calls of one program on one state dir. */
function cliCalls(bin: string, jobsDir: string, stateDir: string, manifests: number): string[][] {
  const flags = ['--jobs', jobsDir, '--state-dir', stateDir];
  const name = `job-${String(Math.floor(manifests / 2)).padStart(5, '0')}`;
  return [
    [bin, ...flags, 'get'],
    [bin, ...flags, 'get', name],
    [bin, ...flags, '__complete-jobs'],
  ];
}

/** Measures one folder size (and the program of `beforeBin`, when given, alternated). */
async function measure(manifests: number, runs: number, beforeBin?: string): Promise<CliGetPoint> {
  const root = await mkdtemp(join(tmpdir(), 'sparkctl-bench-cliget-'));
  try {
    const { jobsDir, stateDir } = await writeFixture(root, manifests);
    const beforeState = join(root, 'state-before');
    if (beforeBin) await cp(stateDir, beforeState, { recursive: true });
    // Older than the read cache's settle time (2 s), as a journal nobody just wrote.
    await delay(2500);
    const readRaw = `const fs=require('fs'),p=require('path');const d=${JSON.stringify(jobsDir)};for(const f of fs.readdirSync(d))fs.readFileSync(p.join(d,f),'utf8')`;
    const coldGetMs = await timed([BIN, '--jobs', jobsDir, '--state-dir', stateDir, 'get']);
    if (beforeBin) await timed([beforeBin, '--jobs', jobsDir, '--state-dir', beforeState, 'get']);
    const [node, raw, get, getName, completeNames, ...old] = await alternate(runs, [
      ['-e', ''],
      ['-e', readRaw],
      ...cliCalls(BIN, jobsDir, stateDir, manifests),
      ...(beforeBin ? cliCalls(beforeBin, jobsDir, beforeState, manifests) : []),
    ]);
    const before = old.length === 3 ? { before: { get: old[0]!, getName: old[1]!, completeNames: old[2]! } } : {};
    return { manifests, node: node!, readRaw: raw!, coldGetMs, get: get!, getName: getName!, completeNames: completeNames!, ...before };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Runs the benchmark over the folder sizes. */
export async function runCliGet(options: { sizes: readonly number[]; runs: number; beforeBin?: string }): Promise<CliGetResult> {
  const points: CliGetPoint[] = [];
  for (const n of options.sizes) points.push(await measure(n, options.runs, options.beforeBin));
  return { name: 'cli-get', points };
}

/** The figures as a table: medians (p95), and ratios to reading the folder raw. */
export function formatCliGet(r: CliGetResult): string {
  const cell = (s: Summary) => `${formatMs(s.median)} (p95 ${formatMs(s.p95)})`;
  const lines = [
    'CLI get (compiled bin/sparkctl.js, one process per call; medians, p95)',
    '| manifests | node -e "" | read every file raw | get, no cache | get | get NAME | completion names | get ÷ raw read | names ÷ node |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const p of r.points) {
    lines.push(
      `| ${p.manifests} | ${cell(p.node)} | ${cell(p.readRaw)} | ${formatMs(p.coldGetMs)} | ${cell(p.get)} | ${cell(p.getName)} | ${cell(p.completeNames)} | ${formatRatio(p.get.median / p.readRaw.median)} | ${formatRatio(p.completeNames.median / p.node.median)} |`,
    );
    const b = p.before;
    if (b) {
      lines.push(
        `| ${p.manifests}, before | | | | ${cell(b.get)} | ${cell(b.getName)} | ${cell(b.completeNames)} | ${formatRatio(b.get.median / p.readRaw.median)} | ${formatRatio(b.completeNames.median / p.node.median)} |`,
      );
    }
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = (process.env.BENCH_MANIFESTS ?? '1000,10000').split(',').map(Number);
  const beforeBin = process.env.BENCH_BEFORE_BIN || undefined;
  console.log(formatCliGet(await runCliGet({ sizes, runs: Number(process.env.BENCH_RUNS ?? 7), ...(beforeBin ? { beforeBin } : {}) })));
}
