import { join } from 'node:path';
import { cliContext, requireJobsDir, write } from './cli-context.js';
import { CheckFailedError, JobNotFoundError } from './errors.js';
import { findJob, loadViews, type JobView } from './find-job.js';
import { editManifestFile, setManifestValue, type EditValue } from './edit-manifest.js';
import { askController } from './ask-controller.js';
import type { Command } from 'commander';

/**
 * Sets one field of a job's manifest with a minimal edit and reports `sparkjob/NAME <done>` (or "unchanged"); `check` may refuse first (by
 * throwing). A ScheduledSparkJob's `spec.suspend` is edited the same way; a schedule's run has no manifest: its rerun goes to the
 * controller over the control socket.
 */
export async function editJobField(
  command: Command,
  name: string,
  path: readonly string[],
  value: EditValue,
  done: string,
  check?: (view: JobView) => void,
): Promise<number> {
  const ctx = cliContext(command);
  await requireJobsDir(ctx);
  let view: JobView;
  try {
    view = await findJob(ctx, name);
  } catch (err) {
    if (!(err instanceof JobNotFoundError)) throw err;
    const schedule = (await loadViews(ctx)).schedules.find((s) => s.name === name);
    if (!schedule) throw err;
    if (path.join('.') !== 'spec.suspend')
      throw new CheckFailedError(`"${name}" is a ScheduledSparkJob: sparkctl trigger ${name} starts a run of it now`);
    const result = await editManifestFile(join(ctx.jobsDir, schedule.file), (text) => setManifestValue(text, path, value, schedule.file));
    await write(ctx, `scheduledsparkjob/${name} ${result === 'edited' ? done : `${done} (unchanged)`}\n`);
    return 0;
  }
  const run = view.record?.run;
  if (view.file === undefined && run) {
    if (path[0] !== 'metadata')
      throw new CheckFailedError(
        `SparkJob "${view.name}" is a run of schedule ${run.schedule} and has no manifest: suspend or resume the schedule`,
      );
    check?.(view);
    await askController(ctx, { op: 'rerun', name: view.name });
    await write(ctx, `sparkjob/${view.name} ${done}\n`);
    return 0;
  }
  if (view.file === undefined) throw new CheckFailedError(`SparkJob "${view.name}" was deleted; its manifest is gone`);
  check?.(view);
  const file = join(ctx.jobsDir, view.file);
  const result = await editManifestFile(file, (text) => setManifestValue(text, path, value, view.file));
  await write(ctx, `sparkjob/${view.name} ${result === 'edited' ? done : `${done} (unchanged)`}\n`);
  return 0;
}
