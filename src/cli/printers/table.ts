import { escapeText } from './escape-text.js';

/** Styles one padded cell (colour); gets the cell's row and column index and its padded text. */
export type CellStyle = (row: number, col: number, padded: string) => string;

/** Spaces between columns, as kubectl prints them. */
export const COLUMN_GAP = 3;

/** The text of one cell or field: line breaks and tabs become a space, every other control or bidi character is shown escaped. */
export function cellText(text: string): string {
  return escapeText(text.replace(/[\r\n\t]+/g, ' ').trim());
}

/** Column widths of a table: the widest cell (header included) of each column. */
export function columnWidths(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): number[] {
  return headers.map((h, i) => Math.max(h.length, ...rows.map((r) => [...cellText(r[i] ?? '')].length)));
}

/** Formats one row at given widths, every cell through cellText; the last column is not padded (no trailing spaces). */
export function formatRow(cells: readonly string[], widths: readonly number[], row = -1, style?: CellStyle): string {
  const out = cells.map((cell, col) => {
    const text = cellText(cell);
    const last = col === cells.length - 1;
    const padded = last ? text : text + ' '.repeat(Math.max(0, (widths[col] ?? 0) - [...text].length) + COLUMN_GAP);
    return style && row >= 0 ? style(row, col, padded) : padded;
  });
  return out.join('');
}

/** Renders a kubectl-style table: upper-case headers, columns padded with three spaces, no borders. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, style?: CellStyle): string {
  const clean = rows.map((r) => r.map(cellText));
  const widths = columnWidths(headers, clean);
  const lines = [formatRow(headers, widths), ...clean.map((r, i) => formatRow(r, widths, i, style))];
  return `${lines.join('\n')}\n`;
}
