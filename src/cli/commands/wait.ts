import type { Command } from 'commander';
import { RERUN_ANNOTATION } from '../../api/spark-job.js';
import { runHash } from '../../manifest/run-hash.js';
import { hasSecretValues } from '../../manifest/spec-hash.js';
import { readHashKey, type HashKey } from '../../secrets/hash-key.js';
import { checkController, cliContext, requireJobsDir, write } from '../cli-context.js';
import { CheckFailedError, CliUsageError } from '../errors.js';
import type { JobView } from '../find-job.js';
import { interruptSignal, pause, POLL_MS } from '../interrupt.js';
import { parseDuration } from '../parse-duration.js';
import { escapeText } from '../../escape-text.js';
import { jobObject } from '../printers/job-object.js';
import { describeCondition, judge, parseWaitCondition, type WaitVerdict, type WaitCondition } from '../wait-condition.js';
import { runAction } from '../run-action.js';
import { parseTargets, selectJobs } from '../select-jobs.js';
import { goneSchedules, scheduleWaitError } from '../wait-schedules.js';
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
  return judge(view.status, cond, () => jobObject(view));
}

/** `--timeout`: a duration; a negative one (`-1s`) waits forever, as kubectl; `0` checks once. */
function parseWaitTimeout(text: string): number {
  try {
    if (/^\s*-/.test(text)) return parseDuration(text.trim().slice(1), '--timeout') > 0 ? Infinity : 0;
    return parseDuration(text, '--timeout');
  } catch (err) {
    throw new CliUsageError((err as Error).message, { cause: err });
  }
}

function neverMet(view: JobView, cond: WaitCondition): CheckFailedError {
  return new CheckFailedError(
    `SparkJob "${view.name}" reached phase ${view.status.phase}${view.status.message ? ` (${view.status.message})` : ''}; ${describeCondition(cond)} can never be met`,
  );
}

/** `sparkctl wait NAME…|-l SEL|--all --for …`: blocks until every job meets a condition; exit 1 on timeout or when one never can. */
export function registerWait(program: Command, setExit: SetExit): void {
  program
    .command('wait')
    .description('Wait until SparkJobs meet a condition or reach a phase')
    .argument('[names...]', 'SparkJob metadata.names')
    .option('-l, --selector <key=value>', 'wait for the jobs whose labels match (key=value, key!=value, key, !key; comma-separated)')
    .option('--all', 'wait for every job in the jobs folder', false)
    .requiredOption('--for <condition>', 'condition=Succeeded, condition=Stalled=False, phase=Failed, …')
    .option('--timeout <duration>', 'give up after this long (exit 1)', '60s')
    .addHelpText(
      'after',
      '\nExit codes: 0 met; 1 timed out, or a job finished in a way that can never meet the condition; 2 usage.\n\nExamples:\n  sparkctl wait spark-pi --for condition=Succeeded --timeout 10m\n  sparkctl wait spark-pi wordcount --for phase=Failed\n  sparkctl wait -l team=geo --for condition=Succeeded\n  sparkctl wait --all --for condition=Succeeded\n',
    )
    .action((names: string[], opts: { for: string; timeout: string; selector?: string; all: boolean }, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        const targets = { names, selector: opts.selector, all: opts.all };
        const requirements = parseTargets('wait', targets, true);
        const cond = parseWaitCondition(opts.for);
        const timeoutMs = parseWaitTimeout(opts.timeout);
        await requireJobsDir(ctx);
        await checkController(ctx);
        let key = readHashKey(ctx.stateDir);
        const deadline = Date.now() + timeoutMs;
        const { signal, dispose } = interruptSignal();
        try {
          // --for=delete: a job is gone once its manifest is removed and the controller has released it (no journal record).
          const deleting = cond.kind === 'delete';
          const load = { includeJournalOnly: deleting };
          const first = await selectJobs(ctx, targets, requirements, load);
          // A schedule named has no phase of its own: only its deletion can be waited for.
          const schedules = first.schedules.filter((f) => names.includes(f.name));
          if (schedules.length > 0 && !deleting) throw await scheduleWaitError(ctx, schedules, opts.for);
          let schedulesLeft = schedules.map((f) => f.name);
          const [missing] = first.missing;
          if (missing && !deleting) throw missing;
          for (const gone of first.missingNames) await write(ctx, `sparkjob/${escapeText(gone)} deleted\n`);
          if (first.views.length === 0 && deleting && schedulesLeft.length === 0) return 0;
          if (first.views.length === 0 && schedulesLeft.length === 0)
            throw new CheckFailedError(`no SparkJobs found in ${ctx.jobsDir}${requirements ? ` matching -l ${opts.selector}` : ''}`);
          let pending = first.views.map((v) => v.name);
          let views = first.views;
          for (;;) {
            key ??= readHashKey(ctx.stateDir);
            const left: string[] = [];
            for (const name of pending) {
              const view = views.find((v) => v.name === name);
              if (!view && deleting) {
                await write(ctx, `sparkjob/${escapeText(name)} deleted\n`);
                continue;
              }
              if (!view) throw new CheckFailedError(`SparkJob "${name}" was deleted while waiting for ${describeCondition(cond)}`);
              const verdict = verdictOf(view, cond, key);
              if (verdict === 'met') await write(ctx, `sparkjob/${escapeText(view.name)} ${describeCondition(cond)} met\n`);
              else if (verdict === 'never') throw neverMet(view, cond);
              else left.push(name);
            }
            pending = left;
            const goneNow = await goneSchedules(ctx, schedulesLeft);
            for (const name of goneNow) await write(ctx, `scheduledsparkjob/${escapeText(name)} deleted\n`);
            schedulesLeft = schedulesLeft.filter((n) => !goneNow.includes(n));
            if (pending.length === 0 && schedulesLeft.length === 0) return 0;
            const what = `${describeCondition(cond)} on ${[
              ...pending.map((n) => `SparkJob "${n}"`),
              ...schedulesLeft.map((n) => `ScheduledSparkJob "${n}"`),
            ].join(', ')}`;
            const phases =
              pending.length > 0 ? ` (phase ${pending.map((n) => views.find((v) => v.name === n)?.status.phase).join(', ')})` : '';
            if (signal.aborted) throw new CheckFailedError(`interrupted while waiting for ${what}${phases}`);
            if (Date.now() >= deadline) throw new CheckFailedError(`timed out after ${opts.timeout} waiting for ${what}${phases}`);
            await pause(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), signal);
            if (pending.length > 0) views = (await selectJobs(ctx, { names: pending }, undefined, load)).views;
          }
        } finally {
          dispose();
        }
      }),
    );
}
