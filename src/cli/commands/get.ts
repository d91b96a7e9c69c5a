import { InvalidArgumentError, type Command } from 'commander';
import { checkController, cliContext, requireJobsDir, write, type CliContext } from '../cli-context.js';
import { describeSyncStatus, readSyncStatus } from '../../gitops/sync-status.js';
import type { JobView } from '../find-job.js';
import { parseTargets, reportMissing, selectJobs } from '../select-jobs.js';
import { paint, phaseColour } from '../printers/colour.js';
import { jobList, jobObject, toJson } from '../printers/job-object.js';
import { renderJobTable, type JobTableOptions } from '../printers/job-table.js';
import { evaluate, parseJsonPath, scalarText, type JsonPath } from '../json-path.js';
import { GET_FORMATS, parseOutputFormat, type OutputFormat } from '../output-format.js';
import { escapeText } from '../../escape-text.js';
import { cellText, renderTable, type CellStyle } from '../printers/table.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/** The formats that show schedules; jsonpath and custom-columns address jobs only. */
const SCHEDULE_FORMATS = new Set<OutputFormat['kind']>(['table', 'wide', 'name', 'json', 'yaml']);

interface GetOptions {
  output: OutputFormat;
  watch: boolean;
  outputWatchEvents: boolean;
  selector?: string;
  /** False with --no-headers. */
  headers: boolean;
  sortBy?: JsonPath;
  showLabels: boolean;
  labelColumns: string[];
}

function phaseStyle(ctx: CliContext, rows: readonly string[][]): CellStyle | undefined {
  if (!ctx.colour) return undefined;
  return (row, col, padded) => (col === 1 ? paint(padded, phaseColour(rows[row]?.[1] ?? ''), true) : padded);
}

/** The table layout the flags ask for; the terminal's width only when stdout is one. */
export function tableOptions(
  ctx: CliContext,
  opts: Pick<GetOptions, 'output' | 'headers' | 'showLabels' | 'labelColumns'>,
): JobTableOptions {
  const columns = (ctx.out as { isTTY?: boolean; columns?: number }).isTTY ? (ctx.out as { columns?: number }).columns : undefined;
  return {
    wide: opts.output.kind === 'wide',
    noHeaders: !opts.headers,
    showLabels: opts.showLabels,
    labelColumns: opts.labelColumns,
    ...(columns ? { terminalColumns: columns } : {}),
  };
}

/**
 * Renders jobs in one of the formats; `single` prints the object itself rather than a list. The
 * printers of YAML, JSONPath, watches and schedules load only for the runs that use them: a plain
 * `get` loads the fewest modules (each costs start-up time on every call).
 */
export async function renderJobs(
  ctx: CliContext,
  views: readonly JobView[],
  format: OutputFormat,
  single: boolean,
  table?: JobTableOptions,
): Promise<string> {
  const root = () => (single && views[0] ? jobObject(views[0]) : jobList(views));
  switch (format.kind) {
    case 'json':
      return toJson(root());
    case 'yaml':
      return (await import('../printers/to-yaml.js')).toYaml(root());
    case 'name':
      // A name is a DNS label, or the file name of an invalid manifest: escaped like every other user string.
      return views.map((v) => `sparkjob/${escapeText(v.name)}\n`).join('');
    case 'jsonpath':
      return (await import('../printers/jsonpath-template.js')).renderJsonPathTemplate(format.template, root());
    case 'custom-columns': {
      const text = renderTable(
        format.columns.map((c) => c.header),
        views.map((v) => format.columns.map((c) => evaluate(c.path, jobObject(v)).map(scalarText).join(',') || '<none>')),
      );
      return table?.noHeaders ? text.slice(text.indexOf('\n') + 1) : text;
    }
    default:
      return renderJobTable(
        views,
        table ?? { wide: format.kind === 'wide', noHeaders: false, showLabels: false, labelColumns: [] },
        (rows) => phaseStyle(ctx, rows),
      );
  }
}

/** Orders jobs by what a JSONPath selects in each (`--sort-by`): numbers by value, text by text, jobs without it last. */
function sortJobs(views: readonly JobView[], path: JsonPath): JobView[] {
  const keyOf = (v: JobView) => evaluate(path, jobObject(v))[0];
  const keyed = views.map((v) => ({ v, k: keyOf(v) }));
  keyed.sort((a, b) => {
    if (a.k === undefined || b.k === undefined) return a.k === undefined ? (b.k === undefined ? 0 : 1) : -1;
    if (typeof a.k === 'number' && typeof b.k === 'number') return a.k - b.k;
    return scalarText(a.k).localeCompare(scalarText(b.k));
  });
  return keyed.map((x) => x.v);
}

const collectKeys = (v: string, prev: string[]) => [
  ...prev,
  ...v
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean),
];

/** `sparkctl get [NAME]`: lists jobs from the jobs folder with the journal's status. */
export function registerGet(program: Command, setExit: SetExit): void {
  program
    .command('get')
    .description('List SparkJobs (or one) with their phase, attempts, age and message, and ScheduledSparkJobs (one lists its runs)')
    .argument('[names...]', 'SparkJob or ScheduledSparkJob metadata.names, or run names (default: every job and schedule)')
    .option(
      '-o, --output <format>',
      `output format: ${GET_FORMATS.join(', ')}, jsonpath=TEMPLATE or custom-columns=HEADER:PATH,…`,
      parseOutputFormat,
      { kind: 'table' },
    )
    .option('--no-headers', 'tables without their header line')
    .option('--sort-by <jsonpath>', 'order jobs by a field, e.g. {.status.phase} or .metadata.name', (v: string) => {
      try {
        return parseJsonPath(v);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
    })
    .option('--show-labels', 'add a LABELS column', false)
    .option('-L, --label-columns <keys>', 'add a column with the value of each label key (comma-separated, repeatable)', collectKeys, [])
    .option('-w, --watch', 'keep printing jobs as their status changes, until Ctrl-C', false)
    .option('--output-watch-events', 'with -w: print ADDED, MODIFIED or DELETED before each row (each object as {type, object})', false)
    .option('-l, --selector <key=value>', 'only jobs whose labels match (key=value, key!=value, key, !key; comma-separated)')
    .addHelpText(
      'after',
      '\nExamples:\n  sparkctl get\n  sparkctl get spark-pi wordcount -o yaml\n  sparkctl get -l \'team in (geo,ml)\' -o wide -L team\n  sparkctl get --sort-by .status.phase --no-headers\n  sparkctl get -o jsonpath=\'{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}\'\n  sparkctl get -o custom-columns=NAME:.metadata.name,IMAGE:.spec.image\n  sparkctl get -w\n  sparkctl get -o json | sparkctl apply -f -\n',
    )
    .action((names: string[], opts: GetOptions, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        const requirements = parseTargets('get', { names, selector: opts.selector }, false);
        await requireJobsDir(ctx);
        await checkController(ctx);
        // A git-synced jobs folder: one header line saying which revision it shows (tables only; machine formats stay clean).
        const tabular = (opts.output.kind === 'table' || opts.output.kind === 'wide') && opts.headers;
        const sync = tabular ? await readSyncStatus(ctx.stateDir) : undefined;
        if (sync) await write(ctx, `${cellText(describeSyncStatus(sync))}\n`);
        const selected = await selectJobs(ctx, { names, selector: opts.selector }, requirements, { includeJournalOnly: false });
        const { missing } = selected;
        const views = opts.sortBy ? sortJobs(selected.views, opts.sortBy) : selected.views;
        const table = tableOptions(ctx, opts);
        if (opts.watch) {
          if (reportMissing(ctx, missing) !== 0 && views.length === 0) return 1;
          const { watchJobs } = await import('../watch-jobs.js');
          await watchJobs(
            ctx,
            names,
            requirements,
            { output: opts.output, watchEvents: opts.outputWatchEvents, table, style: (rows) => phaseStyle(ctx, rows) },
            views,
          );
          return 0;
        }
        if (selected.schedules.length > 0 && SCHEDULE_FORMATS.has(opts.output.kind)) {
          const { renderSchedules } = await import('../printers/schedule-output.js');
          await write(ctx, await renderSchedules(ctx, views, selected.schedules, opts.output, names, table));
          return reportMissing(ctx, missing);
        }
        if (views.length === 0 && missing.length === 0 && opts.output.kind !== 'json' && opts.output.kind !== 'yaml') {
          ctx.err.write(`No SparkJobs found in ${ctx.jobsDir}${requirements ? ` matching -l ${opts.selector}` : ''}.\n`);
          return 0;
        }
        if (views.length > 0 || missing.length === 0) {
          await write(ctx, await renderJobs(ctx, views, opts.output, names.length === 1, table));
        }
        return reportMissing(ctx, missing);
      }),
    );
}
