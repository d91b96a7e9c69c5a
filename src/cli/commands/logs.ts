import { open } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { Phase } from '../../api/status.js';
import { journalPaths } from '../../state/journal-paths.js';
import { readJobRecord } from '../../state/read-journal.js';
import { readLiveLock } from '../../state/state-lock.js';
import { currentAttempt, listAttemptLogs } from '../attempts.js';
import { checkController, cliContext, requireJobsDir, write, type CliContext } from '../cli-context.js';
import { CheckFailedError } from '../errors.js';
import { findJob } from '../find-job.js';
import { interruptSignal, pause, POLL_MS } from '../interrupt.js';
import { neutraliseTerminal } from '../printers/escape-text.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/** Phases in which an attempt's log may still grow. */
const ACTIVE: ReadonlySet<Phase> = new Set(['Pending', 'Connecting', 'RequestingResources', 'Running', 'Collecting']);

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

/** Copies bytes of a file from `offset` to stdout; returns the new offset (a shorter, rewritten file keeps the old one). */
async function copyFrom(ctx: CliContext, path: string, offset: number): Promise<number> {
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
    if (bytesRead > 0) await write(ctx, forTerminal(ctx, buf.subarray(0, bytesRead).toString('utf8')));
    return offset + bytesRead;
  } finally {
    await handle.close();
  }
}

/** Whether the followed attempt is still the job's current one and may still write. */
async function stillActive(ctx: CliContext, name: string, attempt: number): Promise<boolean> {
  const rec = await readJobRecord(ctx.stateDir, name).catch(() => undefined);
  if (!rec) return false;
  const ctxAttempt = (rec.snapshot as { context?: { attempt?: number } } | undefined)?.context?.attempt ?? 0;
  if (ctxAttempt > attempt) return false;
  return ACTIVE.has(rec.status.phase);
}

async function follow(ctx: CliContext, name: string, attempt: number, signal: AbortSignal): Promise<void> {
  const path = journalPaths.log(ctx.stateDir, name, attempt);
  let offset = await copyFrom(ctx, path, 0);
  while (!signal.aborted) {
    const active = await stillActive(ctx, name, attempt);
    offset = await copyFrom(ctx, path, offset);
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
    .addHelpText('after', '\nExamples:\n  sparkctl logs spark-pi\n  sparkctl logs spark-pi -f\n  sparkctl logs spark-pi --attempt 1\n')
    .action((name: string, opts: { follow: boolean; attempt?: number }, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        await requireJobsDir(ctx);
        const lock = await checkController(ctx);
        const view = await findJob(ctx, name);
        const logs = await listAttemptLogs(ctx.stateDir, view.name);
        const current = currentAttempt(view) ?? logs[logs.length - 1]?.attempt;
        const attempt = opts.attempt ?? current;
        if (opts.attempt !== undefined && !logs.some((l) => l.attempt === opts.attempt)) {
          const known = logs.map((l) => l.attempt).join(', ') || 'none';
          throw new CheckFailedError(`SparkJob "${view.name}" has no log for attempt ${opts.attempt} (attempts with a log: ${known})`);
        }
        const following = opts.follow && lock !== undefined && attempt === current && ACTIVE.has(view.status.phase);
        if (!following) {
          if (attempt === undefined || !logs.some((l) => l.attempt === attempt)) {
            const hint = opts.follow ? 'start the controller to run it' : 'use -f to wait for it';
            throw new CheckFailedError(`SparkJob "${view.name}" has no driver log yet (phase ${view.status.phase}); ${hint}`);
          }
          await copyFrom(ctx, journalPaths.log(ctx.stateDir, view.name, attempt), 0);
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
          if (target !== undefined) await follow(ctx, view.name, target, signal);
        } finally {
          dispose();
        }
        return 0;
      }),
    );
}
