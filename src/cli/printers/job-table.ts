import type { JobView } from '../find-job.js';
import { labelsOf } from '../select-jobs.js';
import { JOB_COLUMNS, jobRow, WIDE_COLUMNS } from './job-row.js';
import { COLUMN_GAP, columnWidths, renderTable, type CellStyle } from './table.js';

/** How `get` lays out its table. */
export interface JobTableOptions {
  readonly wide: boolean;
  readonly noHeaders: boolean;
  /** `-L key`: one column per label key. */
  readonly labelColumns: readonly string[];
  /** `--show-labels`: a LABELS column with every label. */
  readonly showLabels: boolean;
  /** The terminal's width, when stdout is one: a plain table cuts MESSAGE to fit it. */
  readonly terminalColumns?: number;
}

/** The narrowest MESSAGE a plain table cuts to on a narrow terminal. */
const MIN_MESSAGE = 20;

/** A `-L` column's header: the key without its prefix, upper-cased, as kubectl shows it. */
const labelHeader = (key: string) => (key.split('/').pop() ?? key).toUpperCase();

function labelText(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** The table's headers. */
export function jobTableHeaders(o: JobTableOptions): string[] {
  return [...(o.wide ? WIDE_COLUMNS : JOB_COLUMNS), ...o.labelColumns.map(labelHeader), ...(o.showLabels ? ['LABELS'] : [])];
}

/** One job's cells; MESSAGE cut to `messageWidth` when given. */
export function jobTableRow(view: JobView, o: JobTableOptions, now = new Date(), messageWidth?: number): string[] {
  // Labels only when a column shows them: reading them may parse a manifest the read cache kept as text.
  const labels = o.labelColumns.length > 0 || o.showLabels ? labelsOf(view) : undefined;
  return [
    ...jobRow(view, o.wide, now, messageWidth),
    ...o.labelColumns.map((k) => labels?.[k] ?? ''),
    ...(o.showLabels ? [labelText(labels)] : []),
  ];
}

/** Renders the jobs as `get`'s table: on a terminal a plain table's MESSAGE fits the width left by the other columns. */
export function renderJobTable(
  views: readonly JobView[],
  o: JobTableOptions,
  style?: (rows: readonly string[][]) => CellStyle | undefined,
): string {
  const now = new Date();
  const headers = jobTableHeaders(o);
  let rows = views.map((v) => jobTableRow(v, o, now));
  if (!o.wide && o.terminalColumns !== undefined) {
    const message = JOB_COLUMNS.indexOf('MESSAGE');
    const widths = columnWidths(headers, rows);
    const others = widths.reduce((sum, w, i) => (i === message ? sum : sum + w + COLUMN_GAP), 0);
    rows = views.map((v) =>
      jobTableRow(v, o, now, Math.max(MIN_MESSAGE, o.terminalColumns! - others - (message < headers.length - 1 ? COLUMN_GAP : 0))),
    );
  }
  // Two files with one metadata.name: each row names its file, so the rows can be told apart.
  const counts = new Map<string, number>();
  for (const v of views) counts.set(v.name, (counts.get(v.name) ?? 0) + 1);
  rows = rows.map((r, i) => {
    const v = views[i]!;
    return (counts.get(v.name) ?? 0) > 1 && v.file !== undefined ? [`${v.name} (${v.file})`, ...r.slice(1)] : r;
  });
  const text = renderTable(headers, rows, style?.(rows));
  return o.noHeaders ? text.slice(text.indexOf('\n') + 1) : text;
}
