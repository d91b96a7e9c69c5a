import type { SparkJobStatus } from '../api/status.js';
import { messageOf } from '../errors.js';
import { MAX_ALIAS_COUNT, type ParsedScheduleManifest } from '../manifest/parse-manifest.js';
import { canonicalJson } from '../manifest/spec-hash.js';
import { writeStatus } from '../manifest/write-status.js';
import { duplicateNameStatus } from '../manifest/check-unique-names.js';
import { writeInvalidStatus } from './invalid-manifest.js';
import { handleGone } from './manifest-grace.js';
import type { ReconcileContext, ReconcileRun } from './reconcile-context.js';

/**
 * Reconciles a valid ScheduledSparkJob manifest: the schedule runner takes its spec and plans it,
 * then its status (last and next time, active runs, history, missed runs) is written into the
 * file when it differs. A file that held a SparkJob releases that job. Never throws for a status
 * that cannot be written (a read-only folder): the journal keeps it and the CLI reads it there.
 */
export async function reconcileSchedule(run: ReconcileRun, parsed: ParsedScheduleManifest, ctx: ReconcileContext): Promise<void> {
  const schedules = ctx.schedules;
  if (!schedules) return;
  const { file } = run;
  if (run.known) handleGone(ctx, file, { now: true });
  const name = parsed.schedule.metadata.name;
  // One name, one thing: a SparkJob (not a run) of this name elsewhere keeps it, as for two jobs.
  const holder = ctx.registry.get(name);
  if (holder && !holder.run && holder.file !== file) {
    await schedules.release(file);
    ctx.nameWaiters?.wait(name, file);
    await writeInvalidStatus(ctx, run, duplicateNameStatus(name, holder.file), undefined, parsed.doc);
    return;
  }
  const status = await schedules.upsert(file, name, parsed.schedule.spec);
  const key = canonicalJson(status);
  let current: unknown;
  try {
    current = (parsed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as { status?: unknown }).status;
  } catch {
    current = undefined;
  }
  if (current === undefined || canonicalJson(current) !== key) {
    const hash = run.hash!;
    try {
      // The writer renders any status mapping; a schedule's status is not a job's.
      const res = await writeStatus(run.abs, status as unknown as SparkJobStatus, {
        within: run.root,
        expectedHash: hash,
        parsed: { hash, doc: parsed.doc },
      });
      if (res.reason === 'conflict') {
        ctx.requeue(file);
        return;
      }
      if (res.written && res.contentHash) {
        ctx.seen.set(file, res.contentHash);
        schedules.markWritten(file, key);
        return;
      }
    } catch (err) {
      ctx.log.debug({ err: messageOf(err), file }, 'Could not write a schedule status; the journal keeps it');
    }
  }
  schedules.markWritten(file, key);
  ctx.seen.set(file, run.hash!);
}
