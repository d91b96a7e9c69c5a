import { readdir, stat } from 'node:fs/promises';
import type { Phase } from '../api/status.js';
import { journalPaths } from '../state/journal-paths.js';
import { readJobRecord } from '../state/read-journal.js';
import type { JobView } from './find-job.js';

/** One execution attempt the journal kept a driver log for. */
export interface AttemptLog {
  readonly attempt: number;
  readonly path: string;
  readonly bytes: number;
  readonly modifiedAt: string;
}

/** The attempts with a driver log, oldest first. */
export async function listAttemptLogs(stateDir: string, name: string): Promise<AttemptLog[]> {
  const files = await readdir(journalPaths.logs(stateDir, name)).catch(() => [] as string[]);
  const out: AttemptLog[] = [];
  for (const f of files) {
    const m = /^attempt-(\d+)\.log$/.exec(f);
    if (!m) continue;
    const attempt = Number(m[1]);
    const path = journalPaths.log(stateDir, name, attempt);
    const info = await stat(path).catch(() => undefined);
    if (info) out.push({ attempt, path, bytes: info.size, modifiedAt: info.mtime.toISOString() });
  }
  return out.sort((a, b) => a.attempt - b.attempt);
}

/** The job's current attempt number as its persisted machine context records it (undefined before any). */
export function currentAttempt(view: JobView): number | undefined {
  const ctx = (view.record?.snapshot as { context?: { attempt?: unknown } } | undefined)?.context;
  return typeof ctx?.attempt === 'number' && ctx.attempt > 0 ? ctx.attempt : undefined;
}

/** Phases in which an attempt's log may still grow (`logs -f` and the dashboard follow it then). */
export const LOG_ACTIVE_PHASES: ReadonlySet<Phase> = new Set(['Pending', 'Connecting', 'RequestingResources', 'Running', 'Collecting']);

/** Whether an attempt is still the job's current one and may still write its log. */
export async function attemptMayWrite(stateDir: string, name: string, attempt: number): Promise<boolean> {
  const rec = await readJobRecord(stateDir, name).catch(() => undefined);
  if (!rec) return false;
  const ctxAttempt = (rec.snapshot as { context?: { attempt?: number } } | undefined)?.context?.attempt ?? 0;
  if (ctxAttempt > attempt) return false;
  return LOG_ACTIVE_PHASES.has(rec.status.phase);
}
