import type { Command } from 'commander';
import { editJobField } from '../edit-job.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/** `sparkctl resume NAME`: sets `spec.suspend: false`; the controller starts a new attempt. */
export function registerResume(program: Command, setExit: SetExit): void {
  program
    .command('resume')
    .description('Resume a suspended SparkJob (sets spec.suspend: false)')
    .argument('<name>', 'the SparkJob metadata.name')
    .addHelpText(
      'after',
      '\nOnly spec.suspend changes in the file; comments and layout stay as they are.\n\nExample:\n  sparkctl resume spark-pi\n',
    )
    .action((name: string, _opts: unknown, command: Command) =>
      runAction(setExit, () => editJobField(command, name, ['spec', 'suspend'], false, 'resumed')),
    );
}
