import type { Command } from 'commander';
import { cliContext, write } from '../cli-context.js';
import { planApply, writePlan } from '../plan-apply.js';
import { kindPrefix } from '../read-apply-input.js';
import { escapeText } from '../../escape-text.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** `sparkctl apply -f FILE|DIR|-`: validates SparkJobs and ScheduledSparkJobs, then writes them into the jobs folder (create or update). */
export function registerApply(program: Command, setExit: SetExit): void {
  program
    .command('apply')
    .description('Validate SparkJobs and ScheduledSparkJobs, then write them into the jobs folder (create, or update keeping status)')
    .requiredOption('-f, --filename <path>', 'a manifest file, a folder of them, or - for stdin (repeatable)', collect, [])
    .option('--dry-run', 'validate and print what would be created or configured; write nothing (see also: sparkctl diff)', false)
    .addHelpText(
      'after',
      '\nInput may be one manifest, several separated by ---, or a SparkJobList (as `get -o json` prints),\nof SparkJobs and ScheduledSparkJobs (one name space: a name another kind holds is refused).\nInvalid input is refused as a whole, with `file:line:col: field: message` lines (exit 1).\nThe jobs folder must exist.\n\nExamples:\n  sparkctl apply -f spark-pi.yaml\n  sparkctl apply -f ./jobs/ --dry-run\n  sparkctl get -o json | sparkctl apply -f -\n',
    )
    .action((opts: { filename: string[]; dryRun: boolean }, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        const plans = await planApply(ctx, opts.filename, 'apply');
        for (const plan of plans) {
          if (!opts.dryRun) await writePlan(plan);
          await write(
            ctx,
            `${kindPrefix(plan.item.kind)}/${escapeText(plan.item.name)} ${plan.outcome}${opts.dryRun ? ' (dry run)' : ''}\n`,
          );
        }
        return 0;
      }),
    );
}
