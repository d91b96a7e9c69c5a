import type { CliContext } from '../cli-context.js';
import type { JobView, ScheduleFile } from '../find-job.js';
import type { OutputFormat } from '../output-format.js';
import { loadScheduleView, renderScheduleTable, runViews, scheduleObject } from '../schedule-views.js';
import { escapeText } from '../../escape-text.js';
import { jobList, jobObject, toJson } from './job-object.js';
import { toYaml } from './to-yaml.js';
import { renderJobTable, type JobTableOptions } from './job-table.js';

/**
 * What `get` prints when schedules are among what it lists (as `kubectl get all`): the jobs table,
 * then the schedules table; one schedule named on its own also lists its runs. Machine formats get
 * the schedules as objects beside the jobs.
 */
export async function renderSchedules(
  ctx: Pick<CliContext, 'stateDir'>,
  jobs: readonly JobView[],
  files: readonly ScheduleFile[],
  format: OutputFormat,
  names: readonly string[],
  table: JobTableOptions,
): Promise<string> {
  const schedules = await Promise.all(files.map((f) => loadScheduleView(ctx, f)));
  const single = names.length === 1 && jobs.length === 0 && schedules.length === 1;
  switch (format.kind) {
    case 'json':
    case 'yaml': {
      const value = single
        ? scheduleObject(schedules[0]!)
        : { ...jobList(jobs), items: [...jobs.map(jobObject), ...schedules.map(scheduleObject)] };
      return format.kind === 'json' ? toJson(value) : toYaml(value);
    }
    case 'name':
      return [
        ...jobs.map((v) => `sparkjob/${escapeText(v.name)}\n`),
        ...schedules.map((s) => `scheduledsparkjob/${escapeText(s.name)}\n`),
      ].join('');
    case 'table':
    case 'wide': {
      let out = jobs.length > 0 ? `${renderJobTable(jobs, table)}\n` : '';
      out += renderScheduleTable(schedules, table.noHeaders);
      if (names.length > 0) {
        for (const s of schedules) {
          const runs = await runViews(ctx, s.name);
          out += runs.length > 0 ? `\nRuns of ${s.name}:\n${renderJobTable(runs, table)}` : `\nNo runs of ${s.name} yet.\n`;
        }
      }
      return out;
    }
    default:
      return '';
  }
}
