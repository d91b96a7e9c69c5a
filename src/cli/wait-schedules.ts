import { readScheduleRecord } from '../state/schedule-record.js';
import type { CliContext } from './cli-context.js';
import { CliUsageError } from './errors.js';
import { loadViews, type ScheduleFile } from './find-job.js';
import { escapeText } from '../escape-text.js';
import { loadScheduleView } from './schedule-views.js';

/**
 * The usage error for `wait SCHEDULE --for …` (other than `--for=delete`): a schedule has no
 * phase or conditions of its own, so the message names its active runs, which can be waited for.
 */
export async function scheduleWaitError(
  ctx: Pick<CliContext, 'stateDir'>,
  files: readonly ScheduleFile[],
  forText: string,
): Promise<CliUsageError> {
  const lines = await Promise.all(
    files.map(async (file) => {
      const { active } = (await loadScheduleView(ctx, file)).status;
      const name = escapeText(file.name);
      const runs = active.map((r) => escapeText(r));
      return runs.length > 0
        ? `${name} is a ScheduledSparkJob: wait applies to jobs and runs; its active run${runs.length > 1 ? 's' : ''}: ${runs.join(', ')} (sparkctl wait ${runs.join(' ')} --for ${escapeText(forText)})`
        : `${name} is a ScheduledSparkJob: wait applies to jobs and runs, and it has no active run (start one with sparkctl trigger ${name}; get ${name} lists its runs)`;
    }),
  );
  return new CliUsageError(`${lines.join('\n')}\nA schedule can be waited for with --for=delete only.`);
}

/** Of the schedules named, those gone: no manifest in the jobs folder and no record in the state dir (the controller released it). */
export async function goneSchedules(ctx: Pick<CliContext, 'jobsDir' | 'stateDir'>, names: readonly string[]): Promise<string[]> {
  const { schedules } = await loadViews(ctx);
  const gone: string[] = [];
  for (const name of names) {
    if (schedules.some((s) => s.name === name)) continue;
    if ((await readScheduleRecord(ctx.stateDir, name).catch(() => undefined)) === undefined) gone.push(name);
  }
  return gone;
}
