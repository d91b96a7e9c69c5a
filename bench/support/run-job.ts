import { performance } from 'node:perf_hooks';
import { benchJob, writeAtomic, type BenchJobOptions } from './manifests.js';
import type { StatusWatch } from './status-watch.js';

/** Phases after which a job does nothing more until its manifest changes. */
export const FINAL_PHASES = new Set(['Succeeded', 'Failed', 'Invalid']);

/**
 * Writes one benchmark manifest and waits until its written-back status is final; returns the
 * milliseconds from the write to the status, and throws when the job did not succeed.
 */
export async function timeJobThroughController(
  watch: StatusWatch,
  jobsDir: string,
  name: string,
  options: BenchJobOptions = {},
  logFile = 'the controller log',
): Promise<number> {
  const file = `${name}.yaml`;
  const t0 = performance.now();
  const done = watch.waitFor(file, (s) => FINAL_PHASES.has(s.phase ?? ''));
  await writeAtomic(jobsDir, file, benchJob(name, options));
  const seen = await done;
  if (seen.status.phase !== 'Succeeded')
    throw new Error(`benchmark job ${name} ended ${seen.status.phase}, not Succeeded: see ${logFile} and ${jobsDir}/${file}`);
  return seen.at - t0;
}
