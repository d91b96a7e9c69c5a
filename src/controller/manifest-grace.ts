import type { JobEntry } from './job-registry.js';
import type { ReconcileContext } from './reconcile-context.js';

/**
 * Starts (or continues) the grace of a job whose manifest is missing or unparsable. Returns
 * true while it runs: nothing is released, nothing written into the file; a re-check is queued
 * for when it ends.
 */
export function holdDuringGrace(ctx: ReconcileContext, entry: JobEntry, file: string, what: 'missing' | 'unreadable'): boolean {
  if (ctx.missingGraceMs <= 0) return false;
  const now = Date.now();
  if (entry.graceUntil === undefined) {
    entry.graceUntil = now + ctx.missingGraceMs;
    const timer = setTimeout(() => ctx.requeue(file), ctx.missingGraceMs + 20);
    timer.unref();
    ctx.log.info({ job: entry.name, file, graceMs: ctx.missingGraceMs }, `Manifest ${what}; keeping the job until the grace period ends`);
  }
  return now < entry.graceUntil;
}

/** Ends a job's grace: its manifest reads again (in its file or another). */
export function endGrace(ctx: ReconcileContext, entry: JobEntry | undefined, file: string): void {
  if (entry?.graceUntil === undefined) return;
  entry.graceUntil = undefined;
  ctx.log.info({ job: entry.name, file }, 'Manifest is back; the job carries on');
  ctx.changed();
}

/** The file no longer holds its job (gone, refused, or another job now): after the grace, the job is released. */
export function handleGone(ctx: ReconcileContext, file: string, opts: { now?: boolean } = {}): void {
  if (ctx.schedules?.gone(file, opts.now ?? false)) return;
  const name = ctx.registry.nameOf(file);
  const held = name ? ctx.registry.get(name) : undefined;
  if (!opts.now && held && held.file === file && holdDuringGrace(ctx, held, file, 'missing')) return;
  ctx.seen.delete(file);
  ctx.registry.dropFile(file);
  if (!name) return;
  const entry = ctx.registry.get(name);
  if (!entry || entry.file !== file) return;
  entry.graceUntil = undefined;
  ctx.log.info({ job: name, file }, 'Manifest removed; releasing the job');
  entry.actor.send({ type: 'job.delete' });
}
