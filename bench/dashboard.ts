/**
 * The dashboard at scale: N manifests with journal records in varied phases, the dashboard on a
 * loopback health server, and the time to serve the first page of `/` (100 rows, over HTTP) once
 * the job index is loaded. Baseline in the same process: serialising the same N rows to JSON (what
 * a client-side table would fetch). Also printed: the cold first load (every manifest and record read).
 * Run alone: `BENCH_JOBS=10000 BENCH_REQUESTS=30 npx tsx bench/dashboard.ts`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PHASES, type SparkJobStatus } from '../src/api/status.js';
import { loadJobViews } from '../src/cli/find-job.js';
import { journalPaths } from '../src/state/journal-paths.js';
import { rowOf } from '../src/web/job-row-model.js';
import { serveDashboard } from '../test/web/dashboard-server.js';
import { benchJob } from './support/manifests.js';
import { formatMs, formatRatio, runPool, summarize, type Summary } from './support/stats.js';

/** The figures of one run. */
export interface DashboardResult {
  readonly name: 'dashboard';
  readonly jobs: number;
  /** GET / with a loaded index (first page, 100 rows, HTML over loopback HTTP). */
  readonly firstPage: Summary;
  /** GET /?phase=Failed&label=tier=batch&page=2 with a loaded index. */
  readonly filteredPage: Summary;
  /** JSON.stringify of every row (the baseline). */
  readonly jsonAllRows: Summary;
  /** The first request on a fresh dashboard: every manifest and journal record read. */
  readonly coldFirstPageMs: number;
  /** The first request on a new dashboard over the same folders (a controller restart): the read cache the first one wrote serves it. */
  readonly restartFirstPageMs: number;
  readonly firstPageBytes: number;
  readonly ratio: number;
}

async function writeFixture(root: string, jobs: number): Promise<{ jobsDir: string; stateDir: string }> {
  const jobsDir = join(root, 'jobs');
  const stateDir = join(root, 'state');
  await mkdir(jobsDir, { recursive: true });
  const names = Array.from({ length: jobs }, (_, i) => `job-${String(i).padStart(5, '0')}`);
  await runPool(names, 16, async (name, i) => {
    const manifest = benchJob(name).replace(`  name: ${name}\n`, `  name: ${name}\n  labels: {tier: ${i % 3 === 0 ? 'batch' : 'adhoc'}}\n`);
    await writeFile(join(jobsDir, `${name}.yaml`), manifest);
    const phase = PHASES[i % PHASES.length]!;
    const status: SparkJobStatus = {
      phase,
      conditions: [],
      submissionAttempts: 1,
      executionAttempts: 1 + (i % 3),
      message: `${phase} for a while`,
    };
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

async function timeGet(url: string): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return { ms: performance.now() - t, bytes: Buffer.byteLength(body) };
}

/** Runs the benchmark. */
export async function runDashboard(options: { jobs: number; requests: number }): Promise<DashboardResult> {
  const root = await mkdtemp(join(tmpdir(), 'sparkctl-bench-dash-'));
  try {
    const ctx = await writeFixture(root, options.jobs);
    // Files changed within the read cache's settle time (2 s) are read again on every load: let the fixture settle.
    await new Promise((r) => setTimeout(r, 2100));
    const serve = () => serveDashboard(ctx, 60_000);
    // The cold load writes the read cache to the state dir; a second dashboard (a restart) starts from it.
    const coldServer = await serve();
    const cold = await timeGet(`${coldServer.url}/`);
    await coldServer.close();
    const server = await serve();
    try {
      const restart = await timeGet(`${server.url}/`);
      const first: number[] = [];
      const filtered: number[] = [];
      let bytes = 0;
      for (let i = 0; i < options.requests; i++) {
        const r = await timeGet(`${server.url}/`);
        first.push(r.ms);
        bytes = r.bytes;
        filtered.push((await timeGet(`${server.url}/?phase=Failed&label=tier%3Dbatch&page=2`)).ms);
      }
      const views = await loadJobViews(ctx, { includeJournalOnly: true });
      const json: number[] = [];
      for (let i = 0; i < options.requests; i++) {
        const t = performance.now();
        JSON.stringify(views.map((v) => rowOf(v)));
        json.push(performance.now() - t);
      }
      const firstPage = summarize(first);
      const jsonAllRows = summarize(json);
      return {
        name: 'dashboard',
        jobs: options.jobs,
        firstPage,
        filteredPage: summarize(filtered),
        jsonAllRows,
        coldFirstPageMs: cold.ms,
        restartFirstPageMs: restart.ms,
        firstPageBytes: bytes,
        ratio: firstPage.median / jsonAllRows.median,
      };
    } finally {
      await server.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** The figures as lines of text. */
export function formatDashboard(r: DashboardResult): string {
  return [
    `dashboard at ${r.jobs} jobs (${r.firstPage.n} requests each)`,
    `  first page of / (100 rows, ${(r.firstPageBytes / 1024).toFixed(1)} KiB HTML): median ${formatMs(r.firstPage.median)}, p95 ${formatMs(r.firstPage.p95)}`,
    `  filtered page (phase + label, page 2):   median ${formatMs(r.filteredPage.median)}, p95 ${formatMs(r.filteredPage.p95)}`,
    `  baseline, all ${r.jobs} rows to JSON:        median ${formatMs(r.jsonAllRows.median)}, p95 ${formatMs(r.jsonAllRows.p95)}`,
    `  ratio first page / baseline: ${formatRatio(r.ratio)}`,
    `  cold first request (no read cache: every manifest and record read): ${formatMs(r.coldFirstPageMs)}`,
    `  first request after a restart (the read cache in the state dir): ${formatMs(r.restartFirstPageMs)}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runDashboard({ jobs: Number(process.env.BENCH_JOBS ?? 10_000), requests: Number(process.env.BENCH_REQUESTS ?? 30) });
  console.log(formatDashboard(r));
}
