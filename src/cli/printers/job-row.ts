import { backendFor } from '../../api/identity.js';
import { currentAttempt } from '../attempts.js';
import type { JobView } from '../find-job.js';
import { formatAge } from './format-age.js';
import { humanizeRetryTime } from './retry-time.js';
import { cellText } from './table.js';

/** Columns of `get`; `-o wide` adds the last three. ATTEMPTS is the newest attempt's number (the one logs, containers and events use). */
export const JOB_COLUMNS = ['NAME', 'PHASE', 'ATTEMPTS', 'AGE', 'MESSAGE'] as const;
export const WIDE_COLUMNS = [...JOB_COLUMNS, 'BACKEND', 'DRIVER', 'MASTER'] as const;

const NONE = '<none>';

/** A short name of a job's driver: container name, short container id, or Mesos task id. */
export function driverName(view: JobView): string {
  const d = view.status.driver;
  if (!d) return NONE;
  return d.containerName ?? d.containerId?.slice(0, 12) ?? d.taskId ?? NONE;
}

/** The backend that runs (or would run) a job. */
export function backendName(view: JobView): string {
  return view.status.driver?.backend ?? (view.job ? backendFor(view.job.spec) : NONE);
}

function clip(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** The cells of one `get` row; MESSAGE is cut to `messageWidth` characters when given (never in wide). */
export function jobRow(view: JobView, wide: boolean, now: Date = new Date(), messageWidth?: number): string[] {
  // Escaped before clipping, so the clip never cuts an escape in half.
  const message = cellText(humanizeRetryTime(view.status.message ?? '', now).replace(/\s+/g, ' '));
  const cells = [
    view.name,
    view.status.phase,
    String(currentAttempt(view) ?? 0),
    formatAge(view.createdAt, now),
    wide || messageWidth === undefined ? message : clip(message, Math.max(messageWidth, 1)),
  ];
  if (!wide) return cells;
  return [...cells, backendName(view), driverName(view), view.job?.spec.master ?? NONE];
}
