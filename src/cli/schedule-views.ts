import { API_VERSION } from '../api/spark-job.js';
import { SCHEDULED_KIND, ScheduledSparkJobStatusSchema, type ScheduledSparkJobStatus } from '../api/scheduled-spark-job.js';
import { nextTimes } from '../schedules/schedule-status.js';
import { readAllJobRecords } from '../state/read-journal.js';
import { readScheduleRecord } from '../state/schedule-record.js';
import type { CliContext } from './cli-context.js';
import { firstEventTime, journalView, type JobView, type ScheduleFile } from './find-job.js';
import { formatAge } from './printers/format-age.js';
import { maskSecrets } from './printers/mask-secrets.js';
import { renderTable } from './printers/table.js';

/** A schedule as the CLI shows it: its manifest and the status the controller recorded. */
export interface ScheduleView extends ScheduleFile {
  readonly status: ScheduledSparkJobStatus;
  /** When the schedule appeared: its first journal event. */
  readonly createdAt?: string;
}

/**
 * The status of a schedule: the journal's record (the controller's own, also when the folder is
 * read-only), else what was written back into the manifest, else nothing yet (the next time from
 * the cron alone).
 */
export async function loadScheduleView(ctx: Pick<CliContext, 'stateDir'>, file: ScheduleFile): Promise<ScheduleView> {
  const rec = await readScheduleRecord(ctx.stateDir, file.name).catch(() => undefined);
  const written = ScheduledSparkJobStatusSchema.safeParse(file.fileStatus);
  const createdAt = await firstEventTime(ctx.stateDir, file.name);
  let status: ScheduledSparkJobStatus;
  if (rec && rec.file === file.file) status = rec.status;
  else if (written.success) status = written.data;
  else {
    const spec = file.schedule.spec;
    const [next] = spec.suspend ? [] : nextTimes(spec, Date.now(), 1);
    status = { active: [], history: [], missedRuns: 0, ...(next ? { nextScheduleTime: new Date(next).toISOString() } : {}) };
  }
  return { ...file, status, ...(createdAt ? { createdAt } : {}) };
}

/** The runs of a schedule the journal holds (active and kept), oldest first. */
export async function runViews(ctx: Pick<CliContext, 'stateDir'>, schedule: string): Promise<JobView[]> {
  const records = (await readAllJobRecords(ctx.stateDir).catch(() => [])).filter((r) => r.run?.schedule === schedule);
  const views = await Promise.all(records.map((r) => journalView(ctx, r)));
  return views.sort(
    (a, b) => (a.record?.run?.scheduledAt ?? '').localeCompare(b.record?.run?.scheduledAt ?? '') || a.name.localeCompare(b.name),
  );
}

/** The schedules table of `get` (kubectl's CronJob columns, with NEXT). */
export function renderScheduleTable(views: readonly ScheduleView[], noHeaders: boolean, now = new Date()): string {
  const age = (iso: string | undefined) => (iso ? formatAge(iso, now) : '<none>');
  const rows = views.map((v) => [
    v.name,
    v.schedule.spec.schedule,
    v.schedule.spec.timeZone,
    String(v.schedule.spec.suspend),
    String(v.status.active.length),
    v.status.lastScheduleTime ? `${age(v.status.lastScheduleTime)} ago` : '<none>',
    v.status.nextScheduleTime && !v.schedule.spec.suspend
      ? `in ${formatAge(now.toISOString(), new Date(v.status.nextScheduleTime))}`
      : '<none>',
    age(v.createdAt),
  ]);
  const text = renderTable(['SCHEDULE NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'NEXT', 'AGE'], rows);
  return noHeaders ? text.slice(text.indexOf('\n') + 1) : text;
}

/** A schedule as one object (for -o yaml/json): the manifest as written (template secrets masked), with the recorded status. */
export function scheduleObject(view: ScheduleView): Record<string, unknown> {
  const { status: _ignored, ...manifest } = view.manifest ? maskSecrets(view.manifest) : {};
  return {
    apiVersion: API_VERSION,
    kind: SCHEDULED_KIND,
    ...manifest,
    metadata: manifest.metadata ?? { name: view.name },
    spec: manifest.spec,
    status: view.status,
  };
}
