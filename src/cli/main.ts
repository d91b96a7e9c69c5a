import { Command, CommanderError } from 'commander';
import { exitQuietlyOnBrokenPipe } from './broken-pipe.js';
import { registerCommands } from './commands/index.js';

/** Runs the sparkctl CLI on an argv and resolves with its exit code (0 ok, 1 check failed, 2 usage). */
export async function main(argv: readonly string[]): Promise<number> {
  exitQuietlyOnBrokenPipe();
  const program = new Command('sparkctl')
    .description('Run Apache Spark jobs declared as SparkJob manifests, on Docker and Mesos.')
    .option('--jobs <dir>', 'jobs folder (default: $SPARKCTL_JOBS, else ./manifests)')
    .option('--state-dir <dir>', 'controller state directory (default: derived from the jobs folder)')
    .showHelpAfterError('(run sparkctl --help for usage)')
    .exitOverride();
  let code = 0;
  registerCommands(program, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    throw err;
  }
  return code;
}
