import { realpath } from 'node:fs/promises';
import type { Document } from 'yaml';
import { messageOf as errorMessage } from '../errors.js';
import { phaseOf } from '../machines/project-status.js';
import { invalidStatus } from '../manifest/invalid-status.js';
import { looseName, looseStatus } from '../manifest/loose-identity.js';
import { parseManifestRead, parsedName } from '../manifest/parse-manifest.js';
import { readManifestFile } from '../manifest/read-manifest-file.js';
import { contentHash, writeStatus } from '../manifest/write-status.js';
import type { SparkJobStatus } from '../api/status.js';
import { statusKey } from './job-registry.js';
import { holdDuringGrace } from './manifest-grace.js';
import type { ReconcileContext, ReconcileRun } from './reconcile-context.js';

/**
 * A manifest that does not validate: a job that had a valid spec in this file keeps it (after the
 * grace for a save in progress) with Stalled=InvalidSpec; otherwise the file gets an Invalid status.
 */
export async function handleInvalid(
  ctx: ReconcileContext,
  run: ReconcileRun,
  message: string,
  value: unknown,
  doc: Document | undefined,
): Promise<void> {
  const { file } = run;
  const name = looseName(value) ?? ctx.registry.nameOf(file);
  const entry = name ? ctx.registry.get(name) : undefined;
  const hadValidSpec = entry !== undefined && entry.file === file && phaseOf(entry.actor.getSnapshot()) !== 'Invalid';
  // A save in progress (truncated, half written) is not a new spec: wait, then look again.
  if (hadValidSpec && holdDuringGrace(ctx, entry, file, 'unreadable')) return;
  if (hadValidSpec) {
    // An invalid revision never stops what runs: the last valid spec goes on, Stalled says why.
    entry.graceUntil = undefined;
    ctx.registry.setInvalidRevision(entry, message);
    ctx.log.warn({ file, job: entry.name, error: message }, 'Manifest is invalid; the job keeps its last valid spec');
    const want = entry.status;
    if (want && (await writeInto(ctx, run, want, doc))) entry.fileStatusKey = statusKey(want);
    ctx.changed();
    return;
  }
  if (entry && entry.file === file) {
    const snap = entry.actor.getSnapshot();
    if (phaseOf(snap) !== 'Invalid' || snap.context.message !== message)
      entry.actor.send({ type: 'job.invalidate', message, reason: 'InvalidSpec' });
  }
  ctx.log.warn({ file, error: message }, 'Manifest is invalid');
  await writeInvalidStatus(ctx, run, message, looseStatus(value), doc);
}

/** Writes an Invalid status into the very content that was judged invalid; a file changed since is looked at again. */
export async function writeInvalidStatus(
  ctx: ReconcileContext,
  run: ReconcileRun,
  message: string,
  current: { phase?: unknown; message?: unknown } | undefined,
  doc: Document | undefined,
): Promise<void> {
  const hash = contentHash(run.bytes!);
  if (ctx.seen.get(run.file) === hash) return;
  if (current?.phase === 'Invalid' && current.message === message) {
    ctx.seen.set(run.file, hash);
    return;
  }
  await writeInto(ctx, run, invalidStatus(message), doc);
}

/** Writes `status` into the content just judged (when it can carry one: a YAML mapping); false when the file changed since (requeued). */
async function writeInto(ctx: ReconcileContext, run: ReconcileRun, status: SparkJobStatus, doc: Document | undefined): Promise<boolean> {
  const hash = contentHash(run.bytes!);
  try {
    const res = await writeStatus(run.abs, status, {
      expectedHash: hash,
      within: await realpath(ctx.jobsDir),
      ...(doc ? { parsed: { hash, doc } } : {}),
    });
    if (res.reason === 'conflict') {
      ctx.requeue(run.file);
      return false;
    }
    ctx.seen.set(run.file, res.written && res.contentHash ? res.contentHash : hash);
  } catch (err) {
    // Not even a YAML mapping: the status lives in the journal (get and describe show it).
    ctx.log.debug({ err: errorMessage(err), file: run.file }, 'Could not write a status into an invalid manifest');
    ctx.seen.set(run.file, hash);
  }
  return true;
}

/** Whether `file` still holds job `name`: known without parsing when its content is the one last reconciled. */
export async function stillNames(ctx: ReconcileContext, root: string, file: string, name: string): Promise<boolean> {
  const read = await readManifestFile(root, file).catch(() => undefined);
  if (read?.kind !== 'file') return false;
  if (ctx.seen.get(file) === contentHash(read.bytes)) return ctx.registry.nameOf(file) === name;
  const other = parseManifestRead(read, file);
  return (other.ok ? parsedName(other) : looseName(other.value)) === name;
}
