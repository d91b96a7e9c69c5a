import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { journalPaths, type JobEventRecord } from '../state/journal-paths.js';
import { readJobEvents } from '../state/read-journal.js';

/** How long `events` keeps showing a deleted job's history, as the Kubernetes API server keeps events. */
export const DELETED_EVENTS_TTL_MS = 3_600_000;

/** A deleted job's journal, moved aside by the controller into `<state>/deleted/<name>-<ms>`. */
export interface DeletedJob {
  readonly name: string;
  readonly deletedAt: number;
  readonly dir: string;
}

/** The deleted jobs of a state dir deleted less than `ttlMs` ago, oldest first. */
export async function recentlyDeletedJobs(stateDir: string, now = Date.now(), ttlMs = DELETED_EVENTS_TTL_MS): Promise<DeletedJob[]> {
  const dirs = await readdir(journalPaths.tombstones(stateDir)).catch(() => [] as string[]);
  const out: DeletedJob[] = [];
  for (const dir of dirs) {
    const m = /^(.+)-(\d+)$/.exec(dir);
    if (!m) continue;
    const deletedAt = Number(m[2]);
    if (now - deletedAt <= ttlMs) out.push({ name: m[1]!, deletedAt, dir });
  }
  return out.sort((a, b) => a.deletedAt - b.deletedAt);
}

/** The events a deleted job had, read with the journal's own reader (the tombstone keeps the job's layout). */
export function readDeletedJobEvents(stateDir: string, job: DeletedJob): Promise<JobEventRecord[]> {
  const asJobName = relative(journalPaths.jobs(stateDir), join(journalPaths.tombstones(stateDir), job.dir));
  return readJobEvents(stateDir, asJobName);
}
