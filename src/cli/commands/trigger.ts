import type { Command } from 'commander';
import { askController } from '../ask-controller.js';
import { cliContext, requireJobsDir, write } from '../cli-context.js';
import { loadViews, notFound } from '../find-job.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/** `sparkctl trigger NAME`: asks the controller to start a run of a ScheduledSparkJob now (as `kubectl create job --from=cronjob/NAME`). */
export function registerTrigger(program: Command, setExit: SetExit): void {
  program
    .command('trigger')
    .description('Start a run of a ScheduledSparkJob now, outside its schedule (the running controller starts it)')
    .argument('<name>', 'the ScheduledSparkJob metadata.name')
    .addHelpText(
      'after',
      "\nThe run is named NAME-<unix time> like a scheduled one; concurrencyPolicy does not hold it back.\nPrints the run's name, which logs, describe, events and wait accept.\n\nExample:\n  sparkctl trigger nightly-pi\n",
    )
    .action((name: string, _opts: unknown, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        await requireJobsDir(ctx);
        const { schedules } = await loadViews(ctx);
        if (!schedules.some((s) => s.name === name))
          throw notFound(
            ctx,
            name,
            schedules.map((s) => s.name),
            'ScheduledSparkJob',
          );
        const info = (await askController(ctx, { op: 'trigger', name })) as { run?: unknown } | undefined;
        await write(ctx, `scheduledsparkjob/${name} triggered: run ${String(info?.run ?? '')}\n`);
        return 0;
      }),
    );
}
