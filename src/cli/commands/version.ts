import type { Command } from 'commander';
import { write } from '../cli-context.js';
import { runAction } from '../run-action.js';
import { VERSION } from '../version.js';
import type { SetExit } from './index.js';

/** `sparkctl version`: the CLI's version and the Node.js it runs on (`--version` prints the version alone). */
export function registerVersion(program: Command, setExit: SetExit): void {
  program
    .command('version')
    .description("Print sparkctl's version")
    .addHelpText('after', '\nExamples:\n  sparkctl version\n  sparkctl --version\n')
    .action(() =>
      runAction(setExit, async () => {
        await write(
          { out: process.stdout },
          `sparkctl version ${VERSION} (node ${process.version}, ${process.platform}/${process.arch})\n`,
        );
        return 0;
      }),
    );
}
