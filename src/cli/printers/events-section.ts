import type { JobEventRecord } from '../../state/journal-paths.js';
import { eventColour, paint } from './colour.js';
import { indentBlock } from './fields.js';
import { formatAge } from './format-age.js';
import { renderTable } from './table.js';

/** The `Events:` section `describe` ends with, for a job and for a schedule alike: TYPE (coloured), REASON, AGE, MESSAGE. */
export function renderEventsSection(events: readonly JobEventRecord[], colour: boolean, now: Date): string {
  if (events.length === 0) return 'Events:\n  <none>\n';
  const table = renderTable(
    ['TYPE', 'REASON', 'AGE', 'MESSAGE'],
    events.map((e) => [e.type, e.reason, formatAge(e.time, now), e.message]),
    colour ? (row, col, padded) => (col === 0 ? paint(padded, eventColour(events[row]?.type ?? ''), true) : padded) : undefined,
  );
  return `Events:\n${indentBlock(table, 2)}`;
}
