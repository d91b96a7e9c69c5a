import type { JobView } from './find-job.js';
import { CheckFailedError } from './errors.js';

/**
 * Refuses a rerun the controller would take as already satisfied (a silent no-op): it starts a new
 * run only of a finished job (Succeeded or Failed) that is not suspended; a run under way or a
 * scheduled retry absorbs the request. Without a journal record (no controller has seen the job in
 * this state dir) only what the manifest itself says (invalid, suspended) can refuse.
 */
export function checkRerunnable(view: JobView): void {
  const { phase } = view.status;
  const name = view.name;
  let why: string | undefined;
  if (phase === 'Invalid') why = `is Invalid: fix its manifest (sparkctl describe ${name} shows the errors); the next valid revision runs`;
  else if (view.job?.spec.suspend || phase === 'Suspended') why = `is suspended: resume it (sparkctl resume ${name}) to run it`;
  else if (view.record && phase !== 'Succeeded' && phase !== 'Failed') {
    const attempt = view.status.executionAttempts > 0 ? ` (attempt ${view.status.executionAttempts})` : '';
    why = `is ${phase}${attempt}: a run is under way, and rerun starts only a finished (Succeeded or Failed) job again. Wait for this run (sparkctl wait ${name} --for condition=Succeeded), or delete the job and apply it again to restart now`;
  }
  if (why) throw new CheckFailedError(`cannot rerun SparkJob "${name}": it ${why}`);
}
