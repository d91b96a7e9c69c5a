import { Command, CommanderError } from 'commander';
import { exitQuietlyOnBrokenPipe } from './broken-pipe.js';
import { registerCommands, soleVerb } from './commands/index.js';
import { VERSION } from './version.js';

/** The one prefix of every error line sparkctl prints (commander's own `error:` included). */
export const ERROR_PREFIX = 'Error: ';

/** Runs the sparkctl CLI on an argv and resolves with its exit code (0 ok, 1 check failed, 2 usage). */
export async function main(argv: readonly string[]): Promise<number> {
  exitQuietlyOnBrokenPipe();
  const reported = new WeakSet<object>();
  const program = new Command('sparkctl')
    .description('Run Apache Spark jobs declared as SparkJob manifests, on Docker and Mesos.')
    .option('--jobs <dir>', 'jobs folder (default: $SPARKCTL_JOBS, else ./manifests)')
    .option('--state-dir <dir>', 'controller state directory (default: derived from the jobs folder)')
    .version(VERSION, '--version', "print sparkctl's version")
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, ERROR_PREFIX)) })
    .showHelpAfterError("see 'sparkctl --help'")
    // Errors commander reports itself (it printed them) pass through here; a usage error a verb's action throws does not.
    .exitOverride((err) => {
      reported.add(err);
      throw err;
    });
  let verb = '';
  program.hook('preAction', (_program, action) => {
    verb = action.name();
  });
  let code = 0;
  await registerCommands(
    program,
    (c) => {
      code = c;
    },
    soleVerb(argv.slice(2)),
  );
  // Each verb's usage errors point at that verb's own help.
  for (const verb of program.commands) verb.showHelpAfterError(`see 'sparkctl ${verb.name()} --help'`);
  // Bare `sparkctl`: its help on stdout, exit 0, as kubectl does.
  if (argv.length <= 2) {
    process.stdout.write(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      // A flag value the action itself found wrong (a duration, say): said like commander's own usage errors.
      if (!reported.has(err)) process.stderr.write(`${ERROR_PREFIX}${err.message}\nsee 'sparkctl ${verb ? `${verb} ` : ''}--help'\n`);
      return 2;
    }
    throw err;
  }
  return code;
}
