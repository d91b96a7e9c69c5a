import type { Command } from 'commander';
import { editJobField } from '../edit-job.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/** `sparkctl suspend NAME`: sets `spec.suspend: true`; the controller releases a running driver. */
export function registerSuspend(program: Command, setExit: SetExit): void {
  program
    .command('suspend')
    .description('Suspend a SparkJob (sets spec.suspend: true; a running driver is stopped and released)')
    .argument('<name>', 'the SparkJob metadata.name')
    .addHelpText(
      'after',
      '\nOnly spec.suspend changes in the file; comments and layout stay as they are.\n\nExample:\n  sparkctl suspend spark-pi\n',
    )
    .action((name: string, _opts: unknown, command: Command) =>
      runAction(setExit, () => editJobField(command, name, ['spec', 'suspend'], true, 'suspended')),
    );
}
