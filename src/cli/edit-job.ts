import { join } from 'node:path';
import { cliContext, requireJobsDir, write } from './cli-context.js';
import { CheckFailedError } from './errors.js';
import { findJob, type JobView } from './find-job.js';
import { editManifestFile, setManifestValue, type EditValue } from './edit-manifest.js';
import type { Command } from 'commander';

/**
 * Sets one field of a job's manifest with a minimal edit and reports `sparkjob/NAME <done>` (or "unchanged"); `check` may refuse first (by
 * throwing).
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
  const view = await findJob(ctx, name);
  if (view.file === undefined) throw new CheckFailedError(`SparkJob "${view.name}" was deleted; its manifest is gone`);
  check?.(view);
  const file = join(ctx.jobsDir, view.file);
  const result = await editManifestFile(file, (text) => setManifestValue(text, path, value, view.file));
  await write(ctx, `sparkjob/${view.name} ${result === 'edited' ? done : `${done} (unchanged)`}\n`);
  return 0;
}
