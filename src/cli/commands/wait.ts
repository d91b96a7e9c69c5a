import type { Command } from 'commander';
import { RERUN_ANNOTATION } from '../../api/spark-job.js';
import { runHash } from '../../manifest/run-hash.js';
import { hasSecretValues } from '../../manifest/spec-hash.js';
import { readHashKey, type HashKey } from '../../secrets/hash-key.js';
import { checkController, cliContext, requireJobsDir, write } from '../cli-context.js';
import { CheckFailedError, CliUsageError } from '../errors.js';
import { findJob, type JobView } from '../find-job.js';
import { interruptSignal, pause, POLL_MS } from '../interrupt.js';
import { parseDuration } from '../parse-duration.js';
import { escapeText } from '../printers/escape-text.js';
import { describeCondition, judge, parseWaitCondition, type WaitVerdict, type WaitCondition } from '../wait-condition.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/**
 * Whether the journal's status still describes an older spec or an unhandled rerun request.
 * The spec hash of a spec with secret values needs the state dir's key; when this process cannot
 * read it, that comparison is skipped rather than answered wrongly.
 */
export function isStale(view: JobView, key: HashKey | undefined): boolean {
  const job = view.job;
  if (!job || view.status.phase === 'Invalid') return false;
  if (!view.record) return true;
  const comparable = key !== undefined || !hasSecretValues(job.spec);
  if (comparable && view.status.observedSpecHash !== undefined && view.status.observedSpecHash !== runHash(job.spec, key)) return true;
  const rerun = job.metadata.annotations[RERUN_ANNOTATION];
  return rerun !== undefined && rerun !== view.status.lastHandledRerunAt && !job.spec.suspend;
}

/** The verdict on a job now: stale statuses are still pending. */
export function verdictOf(view: JobView, cond: WaitCondition, key: HashKey | undefined): WaitVerdict {
  if (isStale(view, key)) return 'pending';
  return judge(view.status, cond);
}

/** `sparkctl wait NAME --for …`: blocks until a job meets a condition; exit 1 on timeout or when it never can. */
export function registerWait(program: Command, setExit: SetExit): void {
  program
    .command('wait')
    .description('Wait until a SparkJob meets a condition or reaches a phase')
    .argument('<name>', 'the SparkJob metadata.name')
    .requiredOption('--for <condition>', 'condition=Succeeded, condition=Stalled=False, phase=Failed, …')
    .option('--timeout <duration>', 'give up after this long (exit 1)', '60s')
    .addHelpText(
      'after',
      '\nExit codes: 0 met; 1 timed out, or the job finished in a way that can never meet the condition; 2 usage.\n\nExamples:\n  sparkctl wait spark-pi --for condition=Succeeded --timeout 10m\n  sparkctl wait spark-pi --for phase=Failed\n',
    )
    .action((name: string, opts: { for: string; timeout: string }, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        const cond = parseWaitCondition(opts.for);
        let timeoutMs: number;
        try {
          timeoutMs = parseDuration(opts.timeout, '--timeout');
        } catch (err) {
          throw new CliUsageError((err as Error).message, { cause: err });
        }
        await requireJobsDir(ctx);
        await checkController(ctx);
        let key = readHashKey(ctx.stateDir);
        const deadline = Date.now() + timeoutMs;
        const { signal, dispose } = interruptSignal();
        try {
          let view = await findJob(ctx, name, { includeJournalOnly: false });
          for (;;) {
            key ??= readHashKey(ctx.stateDir);
            const verdict = verdictOf(view, cond, key);
            if (verdict === 'met') {
              await write(ctx, `sparkjob/${escapeText(view.name)} ${describeCondition(cond)} met\n`);
              return 0;
            }
            if (verdict === 'never') {
              throw new CheckFailedError(
                `SparkJob "${view.name}" reached phase ${view.status.phase}${view.status.message ? ` (${view.status.message})` : ''}; ${describeCondition(cond)} can never be met`,
              );
            }
            if (signal.aborted) throw new CheckFailedError(`interrupted while waiting for ${describeCondition(cond)} on SparkJob "${view.name}" (phase ${view.status.phase})`);
            if (Date.now() >= deadline) {
              throw new CheckFailedError(`timed out after ${opts.timeout} waiting for ${describeCondition(cond)} on SparkJob "${view.name}" (phase ${view.status.phase})`);
            }
            await pause(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), signal);
            view = await findJob(ctx, view.name, { includeJournalOnly: false }).catch((err: unknown) => {
              throw new CheckFailedError(`SparkJob "${view.name}" was deleted while waiting for ${describeCondition(cond)}`, { cause: err });
            });
          }
        } finally {
          dispose();
        }
      }),
    );
}
