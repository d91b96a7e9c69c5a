import { Option, type Command } from 'commander';
import { checkController, cliContext, requireJobsDir, write, type CliContext } from '../cli-context.js';
import { describeSyncStatus, readSyncStatus } from '../../gitops/sync-status.js';
import type { JobView } from '../find-job.js';
import { parseTargets, reportMissing, selectJobs } from '../select-jobs.js';
import { paint, phaseColour } from '../printers/colour.js';
import { jobList, jobObject, toJson, toYaml } from '../printers/job-object.js';
import { JOB_COLUMNS, jobRow, WIDE_COLUMNS } from '../printers/job-row.js';
import { escapeText } from '../printers/escape-text.js';
import { cellText, renderTable, type CellStyle } from '../printers/table.js';
import { runAction } from '../run-action.js';
import { watchJobs } from '../watch-jobs.js';
import type { SetExit } from './index.js';

/** Output formats of `get`. */
export const GET_FORMATS = ['table', 'wide', 'yaml', 'json', 'name'] as const;
type Format = (typeof GET_FORMATS)[number];

interface GetOptions {
  output: Format;
  watch: boolean;
  outputWatchEvents: boolean;
  selector?: string;
}

function phaseStyle(ctx: CliContext, rows: readonly string[][]): CellStyle | undefined {
  if (!ctx.colour) return undefined;
  return (row, col, padded) => (col === 1 ? paint(padded, phaseColour(rows[row]?.[1] ?? ''), true) : padded);
}

/** Renders jobs in one of the formats; `single` prints the object itself rather than a list. */
export function renderJobs(ctx: CliContext, views: readonly JobView[], format: Format, single: boolean): string {
  switch (format) {
    case 'json':
      return toJson(single && views[0] ? jobObject(views[0]) : jobList(views));
    case 'yaml':
      return toYaml(single && views[0] ? jobObject(views[0]) : jobList(views));
    case 'name':
      // A name is a DNS label, or the file name of an invalid manifest: escaped like every other user string.
      return views.map((v) => `sparkjob/${escapeText(v.name)}\n`).join('');
    default: {
      const rows = views.map((v) => jobRow(v, format === 'wide'));
      return renderTable(format === 'wide' ? WIDE_COLUMNS : JOB_COLUMNS, rows, phaseStyle(ctx, rows));
    }
  }
}

/** `sparkctl get [NAME]`: lists jobs from the jobs folder with the journal's status. */
export function registerGet(program: Command, setExit: SetExit): void {
  program
    .command('get')
    .description('List SparkJobs (or one) with their phase, attempts, age and message')
    .argument('[names...]', 'SparkJob metadata.names (default: every job)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(GET_FORMATS).default('table'))
    .option('-w, --watch', 'keep printing jobs as their status changes, until Ctrl-C', false)
    .option('--output-watch-events', 'with -w: print ADDED, MODIFIED or DELETED before each row (each object as {type, object})', false)
    .option('-l, --selector <key=value>', 'only jobs whose labels match (key=value, key!=value, key, !key; comma-separated)')
    .addHelpText(
      'after',
      '\nExamples:\n  sparkctl get\n  sparkctl get spark-pi wordcount -o yaml\n  sparkctl get -l team=geo -o wide\n  sparkctl get -w\n  sparkctl get -o json | sparkctl apply -f -\n',
    )
    .action((names: string[], opts: GetOptions, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        const requirements = parseTargets('get', { names, selector: opts.selector }, false);
        await requireJobsDir(ctx);
        await checkController(ctx);
        // A git-synced jobs folder: one header line saying which revision it shows (tables only; machine formats stay clean).
        const sync = opts.output === 'table' || opts.output === 'wide' ? await readSyncStatus(ctx.stateDir) : undefined;
        if (sync) await write(ctx, `${cellText(describeSyncStatus(sync))}\n`);
        const { views, missing } = await selectJobs(ctx, { names, selector: opts.selector }, requirements, { includeJournalOnly: false });
        if (opts.watch) {
          if (reportMissing(ctx, missing) !== 0 && views.length === 0) return 1;
          await watchJobs(ctx, names, requirements, { output: opts.output, watchEvents: opts.outputWatchEvents, style: (rows) => phaseStyle(ctx, rows) }, views);
          return 0;
        }
        if (views.length === 0 && missing.length === 0 && opts.output !== 'json' && opts.output !== 'yaml') {
          ctx.err.write(`No SparkJobs found in ${ctx.jobsDir}${requirements ? ` matching -l ${opts.selector}` : ''}.\n`);
          return 0;
        }
        if (views.length > 0 || missing.length === 0) await write(ctx, renderJobs(ctx, views, opts.output, names.length === 1));
        return reportMissing(ctx, missing);
      }),
    );
}
