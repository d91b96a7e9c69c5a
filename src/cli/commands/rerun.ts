import type { Command } from 'commander';
import { RERUN_ANNOTATION } from '../../api/spark-job.js';
import { editJobField } from '../edit-job.js';
import { checkRerunnable } from '../rerun-check.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/**
 * `sparkctl rerun NAME`: sets the rerun annotation to now; the controller runs a finished job again and echoes it in
 * status.lastHandledRerunAt.
 */
export function registerRerun(program: Command, setExit: SetExit): void {
  program
    .command('rerun')
    .description(`Run a SparkJob again (sets the ${RERUN_ANNOTATION} annotation to the current time)`)
    .argument('<name>', 'the SparkJob metadata.name')
    .addHelpText(
      'after',
      `\nThe controller answers by starting a new run and recording the value in status.lastHandledRerunAt.\nOnly a finished (Succeeded or Failed) job can be rerun; any other phase is refused (exit 1) with the reason.\n\nExample:\n  sparkctl rerun spark-pi && sparkctl wait spark-pi --for condition=Succeeded\n`,
    )
    .action((name: string, _opts: unknown, command: Command) =>
      runAction(setExit, () =>
        editJobField(
          command,
          name,
          ['metadata', 'annotations', RERUN_ANNOTATION],
          new Date().toISOString(),
          'rerun requested',
          checkRerunnable,
        ),
      ),
    );
}
