import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { RERUN_ANNOTATION, type SparkJob } from '../api/spark-job.js';
import { TERMINAL_PHASES } from '../api/status.js';
import { phaseOf } from '../machines/project-status.js';
import { duplicateNameStatus } from '../manifest/check-unique-names.js';
import { issuesText } from '../manifest/manifest-issue.js';
import { parseManifestRead } from '../manifest/parse-manifest.js';
import { readManifestFile } from '../manifest/read-manifest-file.js';
import { readStatusFromDoc } from '../manifest/read-status.js';
import { contentHash, writeStatus } from '../manifest/write-status.js';
import { checkPolicy } from '../policy/check-policy.js';
import { looseSecretValues, redactSecrets, secretValues } from '../secrets/redact.js';
import { mergeSecrets, statusKey, type JobActor } from './job-registry.js';
import { handleInvalid, stillNames, writeInvalidStatus } from './invalid-manifest.js';
import { endGrace, handleGone } from './manifest-grace.js';
import type { ReconcileContext, ReconcileRun, ReconcileStep } from './reconcile-context.js';
import { reconcileSchedule } from './schedule-step.js';

/**
 * Reads the file. Gone: the job is released (after the grace). Refused (a link, a special file)
 * or over the size limit: reported once per reason or content, never parsed. Stops in all three cases.
 */
export const readStep: ReconcileStep = async (run, ctx) => {
  const { file } = run;
  // The event of the controller's own status write: the file is what it wrote, nothing to read when nothing else changed.
  const own = await ctx.ownWrites?.recognise(file, run.abs);
  if (own !== undefined && ctx.seen.get(file) === own) {
    run.hash = own;
    if ((await skipUnchangedStep(run, ctx)) === 'stop') return 'stop';
  }
  // A relist's reconcile of a file whose lstat still gives the key of its last reconciled read: nothing to read when nothing else changed.
  const kept = await ctx.readKeys?.unchanged(file, run.abs, ctx.seen.get(file));
  if (kept !== undefined) {
    run.hash = kept;
    if ((await skipUnchangedStep(run, ctx)) === 'stop') return 'stop';
  }
  let read = await readManifestFile(run.root, file);
  if (ctx.jobsRoot && (read.kind === 'gone' || read.kind === 'refused')) {
    // The cached root may be stale (the folder's link flipped since the last relist): resolve it again.
    const fresh = await ctx.jobsRoot.refresh();
    if (fresh !== run.root) {
      run.root = fresh;
      read = await readManifestFile(run.root, file);
    }
  }
  if (read.kind === 'refused') {
    // Reported once per reason: relists list links and special files again and again.
    const key = `refused:${read.reason}`;
    const reported = ctx.seen.get(file) === key;
    handleGone(ctx, file);
    if (!reported) ctx.log.warn({ file }, `Ignored ${read.reason}`);
    ctx.seen.set(file, key);
    return 'stop';
  }
  if (read.kind === 'gone') {
    handleGone(ctx, file);
    return 'stop';
  }
  if (read.truncated) {
    // Over the size limit: reported once per content, never parsed or written to.
    const key = `size:${read.bytes.length}:${contentHash(read.bytes)}`;
    const reported = ctx.seen.get(file) === key;
    handleGone(ctx, file);
    if (!reported) {
      const result = parseManifestRead(read, file);
      ctx.log.warn({ file, error: result.ok ? '' : result.errors.map((e) => e.message).join('; ') }, 'Manifest is invalid');
    }
    ctx.seen.set(file, key);
    return 'stop';
  }
  run.bytes = read.bytes;
  run.hash = contentHash(read.bytes);
  run.read = read;
  ctx.readKeys?.record(file, read, run.hash);
  return 'next';
};

/** Stops when the content is the one last reconciled and its status is the one last written (one read per unchanged file). */
export const skipUnchangedStep: ReconcileStep = async (run, ctx) => {
  run.known = ctx.registry.nameOf(run.file);
  run.previous = run.known ? ctx.registry.get(run.known) : undefined;
  const prev = run.previous;
  const unchanged = prev === undefined ? !ctx.schedules?.wantsWrite(run.file) : prev.fileStatusKey === statusKey(prev.status);
  if (ctx.seen.get(run.file) === run.hash && unchanged) {
    endGrace(ctx, prev, run.file);
    return 'stop';
  }
  return 'next';
};

/** The one parse of this content: everything below (name, status, errors) comes from it. On errors: handleInvalid, stop. */
export const parseStep: ReconcileStep = async (run, ctx) => {
  const parsed = parseManifestRead(run.read!, run.file);
  if (!parsed.ok) {
    const message = redactSecrets(issuesText(parsed.errors), parsed.secrets ?? []);
    await handleInvalid(ctx, run, message, parsed.value, parsed.doc);
    return 'stop';
  }
  if (parsed.kind !== 'SparkJob') {
    await reconcileSchedule(run, parsed, ctx);
    return 'stop';
  }
  if (ctx.schedules?.nameOf(run.file) !== undefined) await ctx.schedules.release(run.file);
  run.parsed = parsed;
  run.job = parsed.job;
  return 'next';
};

/** Judges the spec against the policy, before any entry is looked at (the check follows links on disk and awaits). */
export const checkPolicyStep: ReconcileStep = async (run, ctx) => {
  const { violations } = await checkPolicy(run.job!.spec, ctx.policy);
  run.violation = violations.map((v) => `${v.path}: ${v.message}`).join('; ');
  return 'next';
};

/**
 * Claims the job's name for this file: a name another file still holds, a schedule holds or one
 * of a schedule's runs holds makes this file Invalid (stop); a name whose file no longer holds it
 * moves the job here; a file that held another job releases that one. A job being forgotten stops
 * here (its file is requeued after).
 */
export const claimNameStep: ReconcileStep = async (run, ctx) => {
  const { file } = run;
  const name = run.job!.metadata.name;
  const entry = ctx.registry.get(name);
  // SparkJobs, schedules and runs share one name space; whichever came first keeps the name.
  const scheduleFile = ctx.schedules?.fileOf(name);
  const holder = scheduleFile !== undefined && scheduleFile !== file ? scheduleFile : undefined;
  const runOf = entry?.run ? `a run of ScheduledSparkJob ${entry.run.schedule} (${entry.file})` : undefined;
  if (holder !== undefined || runOf !== undefined) {
    ctx.nameWaiters?.wait(name, file);
    await writeInvalidStatus(ctx, run, duplicateNameStatus(name, (runOf ?? holder)!), readStatusFromDoc(run.parsed!.doc), run.parsed!.doc);
    return 'stop';
  }
  if (run.previous && run.previous.name === name) endGrace(ctx, run.previous, file);
  if (entry && entry.file === file && entry.invalidRevision !== undefined) ctx.registry.setInvalidRevision(entry, undefined);
  if (entry && entry.file !== file) {
    if (await stillNames(ctx, run.root, entry.file, name)) {
      ctx.nameWaiters?.wait(name, file);
      await writeInvalidStatus(ctx, run, duplicateNameStatus(name, entry.file), readStatusFromDoc(run.parsed!.doc), run.parsed!.doc);
      return 'stop';
    }
    // Moved or renamed (git mv, a new folder): the same job, now in this file; a same spec keeps its run.
    ctx.log.info({ job: name, from: entry.file, to: file }, 'Manifest moved; the job follows it');
    ctx.seen.delete(entry.file);
    ctx.registry.move(entry, file);
    endGrace(ctx, entry, file);
  }
  if (run.known && run.known !== name) handleGone(ctx, file, { now: true });
  if (entry?.actor.getSnapshot().status === 'done') return 'stop';
  run.entry = entry;
  return 'next';
};

/** Creates the job if new, and sends the events that bring its actor to what the manifest asks for. */
export const steerStep: ReconcileStep = async (run, ctx) => {
  const job = run.job!;
  // A job the policy refuses gets no secretRef lookups: masking a value it was not granted would tell its author whether a guess matched.
  const secrets = run.violation ? looseSecretValues(job) : secretValues(job.spec, ctx.env);
  const wanted = ctx.runHash(job.spec);
  if (run.entry) run.entry.secrets = mergeSecrets(run.entry.secrets, secrets);
  else run.entry = ctx.registry.create(job.metadata.name, run.file, job, wanted, secrets, undefined, readStatusFromDoc(run.parsed!.doc));
  steer(run.entry.actor, job, run.violation ?? '', wanted);
  return 'next';
};

/** Sends the events that bring a job's actor to what its manifest asks for (level-triggered: nothing when they agree). */
export function steer(actor: Pick<JobActor, 'getSnapshot' | 'send'>, job: SparkJob, violation: string, wanted: string): void {
  const ctx = () => actor.getSnapshot().context;
  if (violation) {
    if (phaseOf(actor.getSnapshot()) !== 'Invalid' || ctx().message !== violation)
      actor.send({ type: 'job.invalidate', message: violation, reason: 'PolicyViolation' });
    return;
  }
  if (ctx().specHash !== wanted || phaseOf(actor.getSnapshot()) === 'Invalid')
    actor.send({ type: 'job.specChanged', spec: job.spec, specHash: wanted });
  const phase = phaseOf(actor.getSnapshot());
  if (job.spec.suspend && phase !== 'Suspended' && !TERMINAL_PHASES.has(phase)) actor.send({ type: 'job.suspend' });
  if (!job.spec.suspend && phase === 'Suspended') actor.send({ type: 'job.resume' });
  const rerun = job.metadata.annotations[RERUN_ANNOTATION];
  if (rerun !== undefined && rerun !== ctx().lastHandledRerunAt && !job.spec.suspend) actor.send({ type: 'job.rerun', requestedAt: rerun });
}

/** Writes the job's status into the content just reconciled when it differs; a newer edit is requeued, never overwritten. */
export const writeStatusStep: ReconcileStep = async (run, ctx) => {
  const { file } = run;
  const entry = run.entry!;
  const hash = run.hash!;
  const want = entry.status;
  const wantKey = statusKey(want);
  if (want && statusKey(readStatusFromDoc(run.parsed!.doc)) !== wantKey) {
    let res;
    try {
      res = await writeStatus(run.abs, want, {
        within: run.root,
        ...(run.read?.real === join(run.root, file) ? { resolved: run.read.real } : {}),
        expectedHash: hash,
        parsed: { hash, doc: run.parsed!.doc, bytes: run.bytes! },
        onSwap: (key, written) => ctx.ownWrites?.expect(file, key, written),
      });
    } finally {
      if (!res?.written) ctx.ownWrites?.forget(file);
    }
    if (res.reason === 'conflict') {
      ctx.requeue(file);
      return 'stop';
    }
    if (res.written && res.contentHash) {
      ctx.seen.set(file, res.contentHash);
      entry.fileStatusKey = wantKey;
      return 'stop';
    }
  } else {
    entry.fileStatusKey = wantKey;
  }
  ctx.seen.set(file, hash);
  return 'next';
};

/** The steps of a reconcile, in order (Flux-style): each may stop the reconcile. */
export const RECONCILE_STEPS: readonly ReconcileStep[] = [
  readStep,
  skipUnchangedStep,
  parseStep,
  checkPolicyStep,
  claimNameStep,
  steerStep,
  writeStatusStep,
];

/** Level-triggered: reads the file and the job, and closes the gap; never asks which event happened. */
export async function reconcile(file: string, ctx: ReconcileContext, steps: readonly ReconcileStep[] = RECONCILE_STEPS): Promise<void> {
  const root = ctx.jobsRoot ? await ctx.jobsRoot.current() : await realpath(ctx.jobsDir);
  const run: ReconcileRun = { file, abs: join(ctx.jobsDir, file), root };
  for (const step of steps) if ((await step(run, ctx)) === 'stop') return;
}
