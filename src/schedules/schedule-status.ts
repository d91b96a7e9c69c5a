import type { ScheduledRunRecord, ScheduledSparkJobSpec, ScheduledSparkJobStatus } from '../api/scheduled-spark-job.js';
import type { Phase } from '../api/status.js';
import { cronOf } from './plan-schedule.js';

/** One run of a schedule as its journal record or actor shows it. */
export interface RunInfo {
  readonly name: string;
  /** Epoch ms of the time it was scheduled for (its name's suffix). */
  readonly scheduledAt: number;
  readonly phase: Phase;
  readonly startTime?: string;
  readonly completionTime?: string;
}

/** Runs not finished (by name, oldest first), and finished ones as history records (oldest first). Invalid counts as Failed. */
export function splitRuns(runs: readonly RunInfo[]): { active: string[]; history: ScheduledRunRecord[] } {
  const sorted = [...runs].sort((a, b) => a.scheduledAt - b.scheduledAt || a.name.localeCompare(b.name));
  const active: string[] = [];
  const history: ScheduledRunRecord[] = [];
  for (const r of sorted) {
    if (r.phase !== 'Succeeded' && r.phase !== 'Failed' && r.phase !== 'Invalid') {
      active.push(r.name);
      continue;
    }
    history.push({
      name: r.name,
      phase: r.phase === 'Succeeded' ? 'Succeeded' : 'Failed',
      ...(r.startTime ? { startTime: r.startTime } : {}),
      ...(r.completionTime ? { completionTime: r.completionTime } : {}),
    });
  }
  return { active, history };
}

/** The status written into a schedule's manifest and its journal record. */
export function scheduleStatus(input: {
  readonly lastScheduleTime?: number;
  readonly nextScheduleTime?: number;
  readonly active: readonly string[];
  readonly history: readonly ScheduledRunRecord[];
  readonly missedRuns: number;
  readonly message?: string;
}): ScheduledSparkJobStatus {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const last = iso(input.lastScheduleTime);
  const next = iso(input.nextScheduleTime);
  return {
    ...(last ? { lastScheduleTime: last } : {}),
    ...(next ? { nextScheduleTime: next } : {}),
    active: [...input.active],
    history: [...input.history],
    missedRuns: input.missedRuns,
    ...(input.message ? { message: input.message } : {}),
  };
}

/** The next `count` scheduled times after `from` (epoch ms), in the schedule's time zone. */
export function nextTimes(spec: Pick<ScheduledSparkJobSpec, 'schedule' | 'timeZone'>, from: number, count: number): number[] {
  return cronOf(spec)
    .nextRuns(count, new Date(from))
    .map((d) => d.getTime());
}

/** The scheduled time of a run name `<schedule>-<unix seconds>` (epoch ms), or undefined when it is not one of that schedule's. */
export function scheduledAtOf(schedule: string, run: string): number | undefined {
  const prefix = `${schedule}-`;
  if (!run.startsWith(prefix)) return undefined;
  const rest = run.slice(prefix.length);
  return /^[0-9]{1,12}$/.test(rest) ? Number(rest) * 1000 : undefined;
}
