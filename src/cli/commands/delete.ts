import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readJobRecord } from '../../state/read-journal.js';
import { readLiveLock } from '../../state/state-lock.js';
import { cliContext, requireJobsDir, write, type CliContext } from '../cli-context.js';
import { CheckFailedError, CliUsageError } from '../errors.js';
import { interruptSignal, pause, POLL_MS } from '../interrupt.js';
import { parseDuration } from '../parse-duration.js';
import { escapeText } from '../../escape-text.js';
import { runAction } from '../run-action.js';
import { parseTargets, reportMissing, selectJobs } from '../select-jobs.js';
import type { SetExit } from './index.js';

async function waitReleased(ctx: CliContext, name: string, timeout: string, deadline: number): Promise<void> {
  const { signal, dispose } = interruptSignal();
  try {
    while ((await readJobRecord(ctx.stateDir, name)) !== undefined) {
      if (!(await readLiveLock(ctx.stateDir))) {
        throw new CheckFailedError(`no controller is running for ${ctx.jobsDir}: SparkJob "${name}" will be released when one starts`);
      }
      if (Date.now() >= deadline || signal.aborted)
        throw new CheckFailedError(`timed out after ${timeout} waiting for the controller to release SparkJob "${name}"`);
      await pause(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), signal);
    }
  } finally {
    dispose();
  }
  await write(ctx, `sparkjob/${escapeText(name)} released\n`);
}

/** `sparkctl delete NAME…|-l SEL|--all`: removes the manifests; the controller then releases the jobs. */
export function registerDelete(program: Command, setExit: SetExit): void {
  program
    .command('delete')
    .description("Delete SparkJobs' manifests; the controller stops their drivers and releases their resources")
    .argument('[names...]', 'SparkJob metadata.names')
    .option('-l, --selector <key=value>', 'delete the jobs whose labels match (key=value, key!=value, key, !key; comma-separated)')
    .option('--all', 'delete every job in the jobs folder', false)
    .option('--wait', 'wait until the controller has released the jobs', false)
    .option('--timeout <duration>', 'with --wait: give up after this long (exit 1)', '60s')
    .addHelpText(
      'after',
      '\nExamples:\n  sparkctl delete spark-pi\n  sparkctl delete spark-pi wordcount --wait --timeout 2m\n  sparkctl delete -l team=geo\n  sparkctl delete --all\n',
    )
    .action((names: string[], opts: { wait: boolean; timeout: string; selector?: string; all: boolean }, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        const targets = { names, selector: opts.selector, all: opts.all };
        const requirements = parseTargets('delete', targets, true);
        let timeoutMs: number;
        try {
          timeoutMs = parseDuration(opts.timeout, '--timeout');
        } catch (err) {
          throw new CliUsageError((err as Error).message, { cause: err });
        }
        await requireJobsDir(ctx);
        const selected = await selectJobs(ctx, targets, requirements, { includeJournalOnly: names.length > 0 });
        const { missing, schedules } = selected;
        // A schedule's run has no manifest to delete: its history limit forgets it, deleting the schedule releases it.
        const runs = selected.views.filter((v) => v.file === undefined && v.record?.run);
        const views = selected.views.filter((v) => !runs.includes(v));
        if (views.length === 0 && schedules.length === 0 && runs.length === 0 && missing.length === 0)
          ctx.err.write(`No SparkJobs found in ${ctx.jobsDir}${requirements ? ` matching -l ${opts.selector}` : ''}.\n`);
        for (const view of views) {
          if (view.file !== undefined) {
            await unlink(join(ctx.jobsDir, view.file)).catch((err: NodeJS.ErrnoException) => {
              if (err.code !== 'ENOENT') throw err;
            });
            await write(ctx, `sparkjob/${escapeText(view.name)} deleted\n`);
          } else {
            await write(ctx, `sparkjob/${escapeText(view.name)} already deleted; the controller is releasing it\n`);
          }
        }
        for (const schedule of schedules) {
          await unlink(join(ctx.jobsDir, schedule.file)).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
          });
          await write(ctx, `scheduledsparkjob/${escapeText(schedule.name)} deleted; the controller releases its runs\n`);
        }
        for (const run of runs)
          ctx.err.write(
            `Error: ${escapeText(run.name)} is a run of schedule ${escapeText(run.record!.run!.schedule)} and has no manifest: its history limit forgets it, and deleting the schedule releases it\n`,
          );
        const code = Math.max(reportMissing(ctx, missing), runs.length > 0 ? 1 : 0);
        if (!opts.wait) return code;
        const deadline = Date.now() + timeoutMs;
        for (const view of views) await waitReleased(ctx, view.name, opts.timeout, deadline);
        return code;
      }),
    );
}
