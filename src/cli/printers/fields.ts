import { paint, type Colour } from './colour.js';
import { cellText } from './table.js';

/** One `Label: value` line of `describe`; the value is escaped, then painted in the colour if any. */
export type Field = readonly [label: string, value: string, colour?: Colour];

/** Renders `Label:  value` lines aligned on the values; empty values are left out; every value goes through cellText. */
export function renderFields(lines: readonly Field[], indent: number, colour = false): string {
  const shown = lines.filter(([, v]) => v !== '');
  const width = Math.max(0, ...shown.map(([l]) => l.length + 1));
  return shown.map(([l, v, c]) => `${' '.repeat(indent)}${`${l}:`.padEnd(width + 2)}${paint(cellText(v), c, colour)}\n`).join('');
}

/** Indents every non-empty line of a block. */
export function indentBlock(text: string, indent: number): string {
  return text
    .split('\n')
    .map((l) => (l ? ' '.repeat(indent) + l : l))
    .join('\n');
}
