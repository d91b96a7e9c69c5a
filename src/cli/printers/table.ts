import { escapeText } from '../../escape-text.js';

/** Styles one padded cell (colour); gets the cell's row and column index and its padded text. */
export type CellStyle = (row: number, col: number, padded: string) => string;

/** Spaces between columns, as kubectl prints them. */
export const COLUMN_GAP = 3;

/** The text of one cell or field: line breaks and tabs become a space, every other control or bidi character is shown escaped. */
export function cellText(text: string): string {
  return escapeText(text.replace(/[\r\n\t]+/g, ' ').trim());
}

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/** The code points in a string (a column's width counts them), as `[...text].length` without building the array. */
const codePoints = (text: string): number => text.length - (text.match(SURROGATE_PAIR)?.length ?? 0);

/** Column widths of rows whose cells went through cellText already. */
function cleanWidths(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): number[] {
  return headers.map((h, i) => rows.reduce((max, r) => Math.max(max, codePoints(r[i] ?? '')), h.length));
}

/** Column widths of a table: the widest cell (header included) of each column. */
export function columnWidths(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): number[] {
  return cleanWidths(
    headers,
    rows.map((r) => headers.map((_, i) => cellText(r[i] ?? ''))),
  );
}

/** formatRow for cells that went through cellText already. */
function formatCleanRow(cells: readonly string[], widths: readonly number[], row = -1, style?: CellStyle): string {
  let out = '';
  for (let col = 0; col < cells.length; col++) {
    const text = cells[col]!;
    const padded = col === cells.length - 1 ? text : text + ' '.repeat(Math.max(0, (widths[col] ?? 0) - codePoints(text)) + COLUMN_GAP);
    out += style && row >= 0 ? style(row, col, padded) : padded;
  }
  return out;
}

/** Formats one row at given widths, every cell through cellText; the last column is not padded (no trailing spaces). */
export function formatRow(cells: readonly string[], widths: readonly number[], row = -1, style?: CellStyle): string {
  return formatCleanRow(cells.map(cellText), widths, row, style);
}

/** Renders a kubectl-style table: upper-case headers, columns padded with three spaces, no borders. Each cell is cleaned once. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, style?: CellStyle): string {
  const clean = rows.map((r) => r.map(cellText));
  const widths = cleanWidths(headers, clean);
  const lines = [formatRow(headers, widths), ...clean.map((r, i) => formatCleanRow(r, widths, i, style))];
  return `${lines.join('\n')}\n`;
}
