import { open } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { TERMINAL_PHASES } from '../../api/status.js';
import { journalPaths } from '../../state/journal-paths.js';
import { readLiveLock } from '../../state/state-lock.js';
import { attemptMayWrite, currentAttempt, LOG_ACTIVE_PHASES, listAttemptLogs, type AttemptLog } from '../attempts.js';
import { checkController, cliContext, requireJobsDir, write, type CliContext } from '../cli-context.js';
import { CheckFailedError, CliUsageError } from '../errors.js';
import { findJob, type JobView } from '../find-job.js';
import { interruptSignal, pause, POLL_MS } from '../interrupt.js';
import { neutraliseTerminal } from '../../escape-text.js';
import { runAction } from '../run-action.js';
import { tailOffset } from '../tail-offset.js';
import { LineStamper, parseSince, parseSinceTime, sinceOffset } from '../log-times-view.js';
import { readLogTimes } from '../../state/log-times.js';
import type { SetExit } from './index.js';

const ACTIVE = LOG_ACTIVE_PHASES;

interface LogsOptions {
  follow: boolean;
  attempt?: number;
  previous: boolean;
  tail: number;
  since?: number;
  sinceTime?: number;
  timestamps: boolean;
}

const lineCount = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < -1) throw new InvalidArgumentError(`--tail takes a number of lines (-1 for all), got '${v}'`);
  return n;
};

/** Why a job has no log to show, and what to do: only an active job's log may still come. */
function noLogMessage(view: JobView, follow: boolean, controllerRuns: boolean): string {
  const st = view.status;
  const base = `SparkJob "${view.name}" has no driver log`;
  if (TERMINAL_PHASES.has(st.phase)) {
    const why = st.message ? ` (${st.message})` : '';
    return `${base}: it is ${st.phase}${why} and its driver never wrote one; see sparkctl describe ${view.name}`;
  }
  if (st.phase === 'Suspended') return `${base}: it is suspended; resume it (sparkctl resume ${view.name}) to run it`;
  if (!ACTIVE.has(st.phase)) return `${base} yet (phase ${st.phase}); the next attempt writes one`;
  if (!controllerRuns)
    return `${base} yet (phase ${st.phase}) and no controller is running for this jobs folder: start one (sparkctl controller) to run it`;
  return `${base} yet (phase ${st.phase}); ${follow ? 'the controller has not started it' : 'use -f to wait for it'}`;
}

/** The newest attempt before `current` that has a log (what `-p/--previous` shows). */
function previousAttempt(name: string, logs: readonly AttemptLog[], current: number | undefined): number {
  const prev = [...logs].reverse().find((l) => current !== undefined && l.attempt < current);
  if (!prev) {
    const known = logs.map((l) => l.attempt).join(', ') || 'none';
    throw new CheckFailedError(
      `SparkJob "${name}" has no attempt before the current one (${current ?? 'none'}) with a log (attempts with a log: ${known})`,
    );
  }
  return prev.attempt;
}

const attemptNumber = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`--attempt takes a whole number ≥ 1, got '${v}'`);
  return n;
};

/**
 * A driver log is program output and is copied exactly when stdout is a file or a pipe (like
 * `kubectl logs`); on a terminal its colours and line breaks stay but every other escape sequence
 * and control character is shown escaped, so a job cannot clear the screen, set the title or write the clipboard.
 */
function forTerminal(ctx: CliContext, text: string): string {
  return (ctx.out as { isTTY?: boolean }).isTTY === true ? neutraliseTerminal(text) : text;
}

/**
 * Copies bytes of a file from `offset` to stdout (each line after its arrival time with a stamper);
 * returns the new offset (a shorter, rewritten file keeps the old one).
 */
async function copyFrom(ctx: CliContext, path: string, offset: number, stamper?: LineStamper): Promise<number> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return offset;
  }
  try {
    const { size } = await handle.stat();
    if (size <= offset) return Math.min(offset, size);
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
    if (bytesRead > 0) {
      const bytes = buf.subarray(0, bytesRead);
      if (stamper) await stamper.refresh();
      await write(ctx, forTerminal(ctx, stamper ? stamper.stamp(bytes, offset) : bytes.toString('utf8')));
    }
    return offset + bytesRead;
  } finally {
    await handle.close();
  }
}

/** Whether the followed attempt is still the job's current one and may still write. */
const stillActive = (ctx: CliContext, name: string, attempt: number) => attemptMayWrite(ctx.stateDir, name, attempt);

/** Which part of a log to print and how: `--tail`, `--since`/`--since-time` (epoch ms), `--timestamps`. */
interface Slice {
  readonly tail: number;
  readonly sinceMs?: number;
  readonly timestamps: boolean;
}

/** Where printing starts: the later of the first line since `sinceMs` and the start of the last `tail` lines (since, then tail). */
async function startOffset(path: string, slice: Slice): Promise<number> {
  const tail = await tailOffset(path, slice.tail);
  if (slice.sinceMs === undefined) return tail;
  return Math.max(tail, await sinceOffset(path, await readLogTimes(path), slice.sinceMs));
}

async function follow(ctx: CliContext, name: string, attempt: number, signal: AbortSignal, slice: Slice): Promise<void> {
  const path = journalPaths.log(ctx.stateDir, name, attempt);
  const stamper = slice.timestamps ? new LineStamper(path) : undefined;
  let offset = await copyFrom(ctx, path, await startOffset(path, slice), stamper);
  while (!signal.aborted) {
    const active = await stillActive(ctx, name, attempt);
    offset = await copyFrom(ctx, path, offset, stamper);
    if (!active) return;
    if (!(await readLiveLock(ctx.stateDir))) {
      ctx.err.write('warning: the controller stopped; no longer following the log\n');
      return;
    }
    await pause(POLL_MS, signal);
  }
}

/** `sparkctl logs NAME`: the driver log of a job's current (or a given) attempt; `-f` follows it while it runs. */
export function registerLogs(program: Command, setExit: SetExit): void {
  program
    .command('logs')
    .description("Print a SparkJob's driver log (the current attempt, or --attempt N)")
    .argument('<name>', 'the SparkJob metadata.name')
    .option('-f, --follow', 'keep printing the log while the attempt runs; ends when it ends', false)
    .option('--attempt <n>', 'an earlier attempt (see `sparkctl describe NAME`)', attemptNumber)
    .option('-p, --previous', 'the attempt before the current one', false)
    .option('--tail <lines>', 'only the last N lines (-1: all)', lineCount, -1)
    .option('--since <duration>', 'only lines newer than a duration (5s, 2m, 3h)', parseSince)
    .option('--since-time <time>', 'only lines at or after an RFC 3339 time', parseSinceTime)
    .option('--timestamps', 'prefix each line with the time it arrived (RFC 3339, nanoseconds)', false)
    .addHelpText(
      'after',
      '\nExamples:\n  sparkctl logs spark-pi\n  sparkctl logs spark-pi -f --tail 20\n  sparkctl logs spark-pi --since 5m --timestamps\n  sparkctl logs spark-pi --attempt 1\n  sparkctl logs spark-pi -p\n',
    )
    .action((name: string, opts: LogsOptions, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        if (opts.previous && opts.attempt !== undefined)
          throw new CliUsageError("-p/--previous and --attempt cannot be used together; see 'sparkctl logs --help'");
        if (opts.since !== undefined && opts.sinceTime !== undefined)
          throw new CliUsageError("at most one of --since or --since-time may be given; see 'sparkctl logs --help'");
        const slice: Slice = {
          tail: opts.tail,
          timestamps: opts.timestamps,
          ...(opts.since !== undefined ? { sinceMs: Date.now() - opts.since } : {}),
          ...(opts.sinceTime !== undefined ? { sinceMs: opts.sinceTime } : {}),
        };
        await requireJobsDir(ctx);
        const lock = await checkController(ctx);
        const view = await findJob(ctx, name);
        const logs = await listAttemptLogs(ctx.stateDir, view.name);
        const current = currentAttempt(view) ?? logs[logs.length - 1]?.attempt;
        const attempt = opts.previous ? previousAttempt(view.name, logs, current) : (opts.attempt ?? current);
        if (opts.attempt !== undefined && !logs.some((l) => l.attempt === opts.attempt)) {
          const known = logs.map((l) => l.attempt).join(', ') || 'none';
          throw new CheckFailedError(`SparkJob "${view.name}" has no log for attempt ${opts.attempt} (attempts with a log: ${known})`);
        }
        const following = opts.follow && lock !== undefined && attempt === current && ACTIVE.has(view.status.phase);
        if (!following) {
          if (attempt === undefined || !logs.some((l) => l.attempt === attempt)) {
            throw new CheckFailedError(noLogMessage(view, opts.follow, lock !== undefined));
          }
          const path = journalPaths.log(ctx.stateDir, view.name, attempt);
          await copyFrom(ctx, path, await startOffset(path, slice), slice.timestamps ? new LineStamper(path) : undefined);
          return 0;
        }
        const { signal, dispose } = interruptSignal();
        try {
          let target = attempt;
          // A job that has not started yet: wait for its first attempt.
          while (target === undefined && !signal.aborted) {
            await pause(POLL_MS, signal);
            const fresh = await findJob(ctx, view.name);
            target = currentAttempt(fresh);
            if (!ACTIVE.has(fresh.status.phase) && target === undefined) return 0;
          }
          if (target !== undefined) await follow(ctx, view.name, target, signal, slice);
        } finally {
          dispose();
        }
        return 0;
      }),
    );
}
