import { write, type CliContext } from './cli-context.js';
import { loadJobViews, type JobView } from './find-job.js';
import { KeptReadCache } from './read-cache.js';
import { interruptSignal, pause, POLL_MS } from './interrupt.js';
import { evaluate, scalarText } from './json-path.js';
import type { LabelRequirement } from './label-selector.js';
import type { OutputFormat } from './output-format.js';
import { escapeText } from '../escape-text.js';
import { jobObject, toJson } from './printers/job-object.js';
import { toYaml } from './printers/to-yaml.js';
import { jobTableHeaders, jobTableRow, type JobTableOptions } from './printers/job-table.js';
import { renderJsonPathTemplate } from './printers/jsonpath-template.js';
import { columnWidths, formatRow, type CellStyle } from './printers/table.js';
import { filterTargets } from './select-jobs.js';

/** What happened to a job between two reads, as kubectl's watch events name it. */
export type WatchEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

/** How `get -w` prints. */
export interface WatchOptions {
  readonly output: OutputFormat;
  /** Prefix each row (or wrap each object) with its event, as `kubectl get -w --output-watch-events`. */
  readonly watchEvents: boolean;
  readonly table: JobTableOptions;
  readonly style?: (rows: readonly string[][]) => CellStyle | undefined;
}

/** The PHASE shown on the row of a job whose manifest is gone (a watch-only marker, not a phase). */
export const DELETED_PHASE = 'Deleted';

/** The header and cells of a tabular format (table, wide, custom-columns); undefined for the others. */
function tabular(opts: WatchOptions): { headers: string[]; cells: (v: JobView) => string[] } | undefined {
  const out = opts.output;
  if (out.kind === 'table' || out.kind === 'wide')
    return { headers: jobTableHeaders(opts.table), cells: (v) => jobTableRow(v, opts.table) };
  if (out.kind === 'custom-columns') {
    return {
      headers: out.columns.map((c) => c.header),
      cells: (v) => out.columns.map((c) => evaluate(c.path, jobObject(v)).map(scalarText).join(',') || '<none>'),
    };
  }
  return undefined;
}

function shiftStyle(style: CellStyle, shifted: boolean): CellStyle {
  return shifted ? (row, col, padded) => (col === 0 ? padded : style(row, col - 1, padded)) : style;
}

/** One printed change: a table row, or an object (wrapped as {type, object} with watch events). */
function render(view: JobView, event: WatchEvent, opts: WatchOptions, widths: readonly number[]): string {
  const grid = tabular(opts);
  const out = opts.output;
  if (grid) {
    const cells = grid.cells(view);
    const phased = out.kind === 'table' || out.kind === 'wide';
    if (event === 'DELETED' && !opts.watchEvents && phased) cells[1] = DELETED_PHASE;
    const row = opts.watchEvents ? [event, ...cells] : cells;
    const style = phased ? opts.style?.([cells]) : undefined;
    return `${formatRow(row, widths, 0, style && shiftStyle(style, opts.watchEvents))}\n`;
  }
  if (out.kind === 'name')
    return `${opts.watchEvents ? `${event} ` : ''}sparkjob/${escapeText(view.name)}${event === 'DELETED' && !opts.watchEvents ? ' deleted' : ''}\n`;
  if (out.kind === 'jsonpath') return `${opts.watchEvents ? `${event} ` : ''}${renderJsonPathTemplate(out.template, jobObject(view))}\n`;
  const object = opts.watchEvents ? { type: event, object: jobObject(view) } : jobObject(view);
  return out.kind === 'json' ? toJson(object) : toYaml(object);
}

/**
 * Prints the jobs, then each change until Ctrl-C: a job is printed again only when its status,
 * file or manifest changed, and once more (DELETED) when its manifest is gone.
 */
export async function watchJobs(
  ctx: CliContext,
  names: readonly string[],
  requirements: readonly LabelRequirement[] | undefined,
  opts: WatchOptions,
  first: readonly JobView[],
): Promise<void> {
  const { signal, dispose } = interruptSignal();
  const grid = tabular(opts);
  const headers: string[] = grid ? [...(opts.watchEvents ? ['EVENT'] : []), ...grid.headers] : [];
  const seen = new Map<string, { key: string; view: JobView }>();
  const key = (v: JobView) => JSON.stringify([v.status, v.file, v.manifest]);
  // Room for the values later rows are likely to hold (the longest phase, an age in days).
  const pad = [9, 12, 19, 8, 5];
  let widths = grid
    ? columnWidths(
        headers,
        first.map((v) => [...(opts.watchEvents ? ['MODIFIED'] : []), ...grid.cells(v)]),
      )
    : [];
  if (opts.output.kind !== 'custom-columns')
    widths = widths.map((w, i) => (i === headers.length - 1 ? w : Math.max(w, pad[i + (opts.watchEvents ? 0 : 1)] ?? 8)));
  const emit = async (views: readonly JobView[]) => {
    let text = '';
    const now = new Set<string>();
    for (const v of views) {
      const id = `${v.name}\u0000${v.file ?? ''}`;
      now.add(id);
      const k = key(v);
      const before = seen.get(id);
      if (before?.key === k) continue;
      seen.set(id, { key: k, view: v });
      text += render(v, before ? 'MODIFIED' : 'ADDED', opts, widths);
    }
    for (const [id, { view }] of seen) {
      if (now.has(id)) continue;
      seen.delete(id);
      text += render(view, 'DELETED', opts, widths);
    }
    if (text) await write(ctx, text);
  };
  // One cache for the whole watch: each poll reads only the files that changed since the one before;
  // the file in the state dir is rewritten at most every 10 s (the next `get` re-reads what a watch has not written).
  const cache = new KeptReadCache(ctx, 10_000);
  try {
    if (grid && !opts.table.noHeaders) await write(ctx, `${formatRow(headers, widths)}\n`);
    await emit(first);
    while (!signal.aborted) {
      await pause(POLL_MS, signal);
      if (signal.aborted) break;
      await emit(filterTargets(await loadJobViews(ctx, { cache: await cache.current() }), names, requirements));
    }
  } finally {
    dispose();
  }
}
