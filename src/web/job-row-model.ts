import type { Phase } from '../api/status.js';
import type { JobView } from '../cli/find-job.js';
import { backendName } from '../cli/printers/job-row.js';
import { formatAge } from '../cli/printers/format-age.js';

/** One row of the jobs table, as the page renders it and the live stream sends it. */
export interface JobRow {
  /** SparkJob today; ScheduledSparkJob when schedules arrive. */
  readonly kind: string;
  readonly name: string;
  readonly phase: Phase;
  /** The phase's symbol (PHASE_ICONS), sent so the live script needs no copy of the table. */
  readonly icon: string;
  readonly attempts: number;
  readonly createdAt?: string;
  readonly age: string;
  readonly message: string;
  readonly backend: string;
}

/** The row of one job view (status already masked by loadJobViews). */
export function rowOf(view: JobView, now: Date = new Date()): JobRow {
  return {
    kind: 'SparkJob',
    name: view.name,
    phase: view.status.phase,
    icon: PHASE_ICONS[view.status.phase],
    attempts: view.status.executionAttempts,
    ...(view.createdAt ? { createdAt: view.createdAt } : {}),
    age: formatAge(view.createdAt, now),
    message: (view.status.message ?? '').replace(/\s+/g, ' '),
    backend: backendName(view),
  };
}

/** What makes a row different for the live stream (age moves by itself and is left out). */
export const rowKey = (r: JobRow): string => JSON.stringify([r.phase, r.attempts, r.message, r.backend]);

/** A symbol per phase, so colour is never the only signal (the phase is also written out). */
export const PHASE_ICONS: Readonly<Record<Phase, string>> = {
  Pending: '○',
  Connecting: '◔',
  RequestingResources: '◑',
  Running: '▶',
  Collecting: '◕',
  Releasing: '◕',
  Succeeded: '✔',
  Failed: '✖',
  Suspended: '‖',
  Retrying: '↻',
  Invalid: '⚠',
};
