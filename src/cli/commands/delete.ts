import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readJobRecord } from '../../state/read-journal.js';
import { readLiveLock } from '../../state/state-lock.js';
import { cliContext, requireJobsDir, write } from '../cli-context.js';
import { CheckFailedError, CliUsageError } from '../errors.js';
import { findJob } from '../find-job.js';
import { interruptSignal, pause, POLL_MS } from '../interrupt.js';
import { parseDuration } from '../parse-duration.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/** `sparkctl delete NAME`: removes the manifest; the controller then releases the job. */
export function registerDelete(program: Command, setExit: SetExit): void {
  program
    .command('delete')
    .description("Delete a SparkJob's manifest; the controller stops its driver and releases its resources")
    .argument('<name>', 'the SparkJob metadata.name')
    .option('--wait', 'wait until the controller has released the job', false)
    .option('--timeout <duration>', 'with --wait: give up after this long (exit 1)', '60s')
    .addHelpText('after', '\nExamples:\n  sparkctl delete spark-pi\n  sparkctl delete spark-pi --wait --timeout 2m\n')
    .action((name: string, opts: { wait: boolean; timeout: string }, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        let timeoutMs: number;
        try {
          timeoutMs = parseDuration(opts.timeout, '--timeout');
        } catch (err) {
          throw new CliUsageError((err as Error).message, { cause: err });
        }
        await requireJobsDir(ctx);
        const view = await findJob(ctx, name);
        if (view.file !== undefined) {
          await unlink(join(ctx.jobsDir, view.file)).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
          });
          await write(ctx, `sparkjob/${view.name} deleted\n`);
        } else {
          await write(ctx, `sparkjob/${view.name} already deleted; the controller is releasing it\n`);
        }
        if (!opts.wait) return 0;
        const deadline = Date.now() + timeoutMs;
        const { signal, dispose } = interruptSignal();
        try {
          while ((await readJobRecord(ctx.stateDir, view.name)) !== undefined) {
            if (!(await readLiveLock(ctx.stateDir))) {
              throw new CheckFailedError(`no controller is running for ${ctx.jobsDir}: SparkJob "${view.name}" will be released when one starts`);
            }
            if (Date.now() >= deadline || signal.aborted) throw new CheckFailedError(`timed out after ${opts.timeout} waiting for the controller to release SparkJob "${view.name}"`);
            await pause(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), signal);
          }
        } finally {
          dispose();
        }
        await write(ctx, `sparkjob/${view.name} released\n`);
        return 0;
      }),
    );
}
