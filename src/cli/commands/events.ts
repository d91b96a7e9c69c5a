import { readdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { journalPaths, type JobEventRecord } from '../../state/journal-paths.js';
import { readJobEvents, readJobRecord } from '../../state/read-journal.js';
import { checkController, cliContext, requireJobsDir, write, type CliContext } from '../cli-context.js';
import { recentlyDeletedJobs, readDeletedJobEvents, type DeletedJob } from '../deleted-jobs.js';
import { findJob, loadViews } from '../find-job.js';
import { interruptSignal, pause, POLL_MS } from '../interrupt.js';
import { eventColour, paint } from '../printers/colour.js';
import { formatAge } from '../printers/format-age.js';
import { knownSecrets, maskEvents } from '../printers/mask-secrets.js';
import { columnWidths, formatRow, type CellStyle } from '../printers/table.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/** An event with the job it belongs to. */
interface JobEvent extends JobEventRecord {
  readonly job: string;
}

/** Where a job's events are read from: its journal folder, or a deleted job's tombstone. */
interface EventSource {
  readonly job: string;
  readonly deleted?: DeletedJob;
}

async function eventSources(ctx: CliContext, name: string | undefined): Promise<EventSource[]> {
  const live = name !== undefined ? [name] : (await readdir(journalPaths.jobs(ctx.stateDir)).catch(() => [] as string[])).sort();
  const deleted = (await recentlyDeletedJobs(ctx.stateDir)).filter((d) => name === undefined || d.name === name);
  return [...deleted.map((d) => ({ job: d.name, deleted: d })), ...live.map((job) => ({ job }))];
}

const eventId = (e: JobEvent) => JSON.stringify([e.job, e.time, e.type, e.reason, e.attempt, e.message]);

/**
 * Every event of the given sources, oldest first, each once: `printed` remembers what was shown
 * (for -w), so a job's history moving to its tombstone on delete is not shown again.
 */
async function readEvents(ctx: CliContext, sources: readonly EventSource[], printed?: Set<string>): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  const ids = new Set<string>();
  for (const src of sources) {
    const raw = await (src.deleted ? readDeletedJobEvents(ctx.stateDir, src.deleted) : readJobEvents(ctx.stateDir, src.job)).catch(
      () => [] as JobEventRecord[],
    );
    // Defence in depth: the controller masks secrets when it records an event; the CLI masks again with what it knows.
    const events = src.deleted
      ? raw
      : maskEvents(raw, knownSecrets(undefined, await readJobRecord(ctx.stateDir, src.job).catch(() => undefined)));
    for (const e of events) {
      const ev = { ...e, job: src.job };
      const id = eventId(ev);
      if (ids.has(id) || printed?.has(id)) continue;
      ids.add(id);
      printed?.add(id);
      out.push(ev);
    }
  }
  return out.sort((a, b) => a.time.localeCompare(b.time));
}

const HEADERS_ONE = ['LAST SEEN', 'TYPE', 'REASON', 'ATTEMPT', 'MESSAGE'];
const HEADERS_ALL = ['LAST SEEN', 'TYPE', 'REASON', 'JOB', 'ATTEMPT', 'MESSAGE'];

function row(e: JobEvent, all: boolean, now: Date): string[] {
  const attempt = e.attempt === undefined ? '' : String(e.attempt);
  return all
    ? [formatAge(e.time, now), e.type, e.reason, `sparkjob/${e.job}`, attempt, e.message]
    : [formatAge(e.time, now), e.type, e.reason, attempt, e.message];
}

function typeStyle(ctx: CliContext, events: readonly JobEvent[]): CellStyle | undefined {
  return ctx.colour ? (r, c, padded) => (c === 1 ? paint(padded, eventColour(events[r]?.type ?? ''), true) : padded) : undefined;
}

/** The job `events NAME` means: a known job or run, else one deleted within the hour (its history is kept), else a schedule. */
async function eventsJobName(ctx: CliContext, name: string): Promise<string> {
  try {
    return (await findJob(ctx, name)).name;
  } catch (err) {
    if ((await recentlyDeletedJobs(ctx.stateDir)).some((d) => d.name === name)) return name;
    // A ScheduledSparkJob's own events (runs started, times missed) are kept under its name.
    if ((await loadViews(ctx)).schedules.some((s) => s.name === name)) return name;
    throw err;
  }
}

/** `sparkctl events [NAME]`: the journal's event history of one job or of all jobs. */
export function registerEvents(program: Command, setExit: SetExit): void {
  program
    .command('events')
    .description("Show SparkJob events (one job's, or every job's), oldest first")
    .argument('[name]', 'only this SparkJob')
    .option('-w, --watch', 'keep printing new events until Ctrl-C', false)
    .addHelpText('after', '\nExamples:\n  sparkctl events\n  sparkctl events spark-pi -w\n')
    .action((name: string | undefined, opts: { watch: boolean }, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        await requireJobsDir(ctx);
        await checkController(ctx);
        const job = name === undefined ? undefined : await eventsJobName(ctx, name);
        const all = job === undefined;
        const headers = all ? HEADERS_ALL : HEADERS_ONE;
        const seen = new Set<string>();
        const first = await readEvents(ctx, await eventSources(ctx, job), seen);
        const now = new Date();
        const rows = first.map((e) => row(e, all, now));
        if (!opts.watch) {
          if (first.length === 0) {
            ctx.err.write(`No events found${job ? ` for SparkJob "${job}"` : ''}.\n`);
            return 0;
          }
          const widths = columnWidths(headers, rows);
          await write(
            ctx,
            [formatRow(headers, widths), ...rows.map((r, i) => formatRow(r, widths, i, typeStyle(ctx, first)))].join('\n') + '\n',
          );
          return 0;
        }
        const widths = columnWidths(headers, rows).map((w, i) => (i === headers.length - 1 ? w : Math.max(w, 9)));
        await write(
          ctx,
          [formatRow(headers, widths), ...rows.map((r, i) => formatRow(r, widths, i, typeStyle(ctx, first)))].join('\n') + '\n',
        );
        const { signal, dispose } = interruptSignal();
        try {
          while (!signal.aborted) {
            await pause(POLL_MS, signal);
            if (signal.aborted) break;
            const fresh = await readEvents(ctx, await eventSources(ctx, job), seen);
            const t = new Date();
            if (fresh.length)
              await write(ctx, fresh.map((e, i) => `${formatRow(row(e, all, t), widths, i, typeStyle(ctx, fresh))}\n`).join(''));
          }
        } finally {
          dispose();
        }
        return 0;
      }),
    );
}
