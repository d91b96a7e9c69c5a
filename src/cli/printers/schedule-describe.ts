import type { JobEventRecord } from '../../state/journal-paths.js';
import { nextTimes } from '../../schedules/schedule-status.js';
import type { ScheduleView } from '../schedule-views.js';
import { renderEventsSection } from './events-section.js';
import { indentBlock, renderFields } from './fields.js';
import { formatAge } from './format-age.js';
import { renderTable } from './table.js';

/** How many upcoming times `describe` lists. */
const NEXT_COUNT = 3;

/** The `describe` text of one schedule: its spec, the next times, its runs and its events. */
export function renderScheduleDescribe(view: ScheduleView, events: readonly JobEventRecord[], colour: boolean, now = new Date()): string {
  const spec = view.schedule.spec;
  const st = view.status;
  const when = (iso: string | undefined) => (iso ? `${iso} (${formatAge(iso, now)} ago)` : '<none>');
  const next = spec.suspend ? [] : nextTimes(spec, now.getTime(), NEXT_COUNT);
  const labels = Object.entries(view.schedule.metadata.labels);
  let out = renderFields(
    [
      ['Name', view.name],
      ['Kind', 'ScheduledSparkJob'],
      ['File', view.file],
      ['Labels', labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(', ') : '<none>'],
      ['Created', view.createdAt ? `${view.createdAt} (${formatAge(view.createdAt, now)} ago)` : '<not seen by a controller yet>'],
      ['Schedule', `${spec.schedule} (${spec.timeZone})`],
      ['Concurrency', spec.concurrencyPolicy],
      ['Starting Deadline', spec.startingDeadlineSeconds === undefined ? '<none>' : `${spec.startingDeadlineSeconds}s`],
      ['History Limits', `${spec.successfulRunHistoryLimit} succeeded, ${spec.failedRunHistoryLimit} failed`],
      ['Suspend', String(spec.suspend)],
      ['Template', `${spec.template.image} ${spec.template.mainClass ?? spec.template.mainApplicationFile}`],
    ],
    0,
  );
  out += `Status:\n${renderFields(
    [
      ['Last Schedule', when(st.lastScheduleTime)],
      ['Next Times', next.length ? next.map((t) => new Date(t).toISOString()).join(', ') : '<none: suspended>'],
      ['Active', st.active.length ? st.active.join(', ') : '<none>'],
      ['Missed Runs', String(st.missedRuns)],
      ['Message', st.message ?? ''],
    ],
    2,
  )}`;
  out += 'History:\n';
  out += st.history.length
    ? indentBlock(
        renderTable(
          ['RUN', 'PHASE', 'STARTED', 'COMPLETED'],
          st.history.map((r) => [r.name, r.phase, r.startTime ?? '', r.completionTime ?? '']),
        ),
        2,
      )
    : '  <none>\n';
  out += renderEventsSection(events, colour, now);
  return out;
}
