import type { ReasonName } from '../api/conditions.js';
import { PHASES, type Condition, type Phase, type SparkJobStatus } from '../api/status.js';
import type { JobContext } from './types.js';

/** The parts of a machine snapshot the projection reads. */
export interface SnapshotView {
  readonly value: unknown;
  readonly context: JobContext;
  /** Whether an active state carries this tag (the phase tags: api/status.ts PHASES). */
  hasTag(tag: Phase): boolean;
  readonly status?: string;
}

/** The phase of a machine snapshot: the one phase tag its states carry (every state has one; see the machine test). */
export function phaseOf(snap: Pick<SnapshotView, 'hasTag'>): Phase {
  const phase = PHASES.find((p) => snap.hasTag(p));
  if (phase === undefined) throw new Error('a SparkJob machine state carries no phase tag; add tags: [<Phase>] to it');
  return phase;
}

/** The reason shown for a phase: the failure's reason where there is one. */
export function reasonOf(phase: Phase, ctx: JobContext): ReasonName {
  switch (phase) {
    case 'Succeeded':
      return ctx.collected?.cached ? 'Cached' : 'Completed';
    case 'Failed':
    case 'Retrying':
      return ctx.failure?.reason ?? 'DriverFailed';
    case 'Invalid':
      return ctx.invalidReason ?? 'InvalidSpec';
    case 'Collecting':
      return ctx.progress ? (ctx.progressReason ?? 'Collecting') : 'Collecting';
    case 'Releasing':
      if (ctx.progress && ctx.progressReason) return ctx.progressReason;
      return ctx.releaseCause === 'delete'
        ? 'Deleted'
        : ctx.releaseCause === 'suspend'
          ? 'Suspended'
          : ctx.releaseCause === 'specChange'
            ? 'SpecChanged'
            : 'Releasing';
    case 'RequestingResources':
      return ctx.progress ? 'InsufficientResources' : 'RequestingResources';
    case 'Connecting':
      return ctx.progress ? 'EngineUnavailable' : 'Connecting';
    case 'Running':
      return ctx.progress ? (ctx.progressReason ?? 'EngineUnavailable') : 'Running';
    default:
      return phase;
  }
}

/** A one-line message for a phase. */
export function messageOf(phase: Phase, ctx: JobContext): string {
  switch (phase) {
    case 'Succeeded':
      return ctx.message ?? (ctx.collected?.cached ? 'Results served from the cache' : 'Driver completed with exit code 0');
    case 'Failed':
      return ctx.failure?.message ?? 'Failed';
    case 'Retrying': {
      const at = ctx.retryAt ? new Date(ctx.retryAt).toISOString() : 'soon';
      return `${ctx.failure?.message ?? 'Attempt ended'}; next attempt at ${at}`;
    }
    case 'Invalid':
      return ctx.message ?? 'The spec cannot run';
    case 'Suspended':
      return 'Suspended: spec.suspend is true';
    case 'Running':
      return ctx.progress ?? `Driver running (attempt ${ctx.attempt})`;
    case 'Releasing':
      return ctx.progress ?? releaseMessage(ctx);
    case 'Connecting':
    case 'RequestingResources':
      return ctx.progress ?? `${phase}`;
    default:
      return ctx.progress ?? phase;
  }
}

/** Why the driver is being released, in the words of the event that says so (Suspended, Deleted, SpecChanged). */
function releaseMessage(ctx: JobContext): string {
  switch (ctx.releaseCause) {
    case 'suspend':
      return 'Releasing the driver: spec.suspend is true';
    case 'delete':
      return 'Releasing the driver: the manifest was deleted';
    case 'specChange':
      return 'Releasing the driver: the spec changed';
    case 'invalid':
      return 'Releasing the driver: the spec is invalid';
    default:
      return 'Releasing the driver';
  }
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function condition(
  prev: readonly Condition[] | undefined,
  type: Condition['type'],
  status: Condition['status'],
  reason: string,
  message: string,
  now: string,
  observedSpecHash: string,
): Condition {
  const old = prev?.find((c) => c.type === type);
  const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : now;
  return { type, status, reason, message, lastTransitionTime, observedSpecHash };
}

/** Projects a machine snapshot into the manifest's `status:` block (kstatus-style conditions). */
export function projectStatus(snap: SnapshotView, prev: SparkJobStatus | undefined, now: Date = new Date()): SparkJobStatus {
  const ctx = snap.context;
  const phase = phaseOf(snap);
  const reason = reasonOf(phase, ctx);
  const message = messageOf(phase, ctx);
  const at = now.toISOString();
  const active = !['Succeeded', 'Failed', 'Suspended', 'Invalid'].includes(phase);
  const stalled = phase === 'Invalid' || (phase === 'Failed' && ctx.failure?.errorClass === 'terminal');
  const conditions: Condition[] = [
    condition(
      prev?.conditions,
      'Succeeded',
      phase === 'Succeeded' ? 'True' : phase === 'Failed' ? 'False' : 'Unknown',
      phase === 'Succeeded' || phase === 'Failed' ? reason : 'InProgress',
      phase === 'Succeeded' || phase === 'Failed' ? message : '',
      at,
      ctx.specHash,
    ),
    condition(prev?.conditions, 'Reconciling', active ? 'True' : 'False', active ? reason : phase, active ? message : '', at, ctx.specHash),
    condition(prev?.conditions, 'Stalled', stalled ? 'True' : 'False', stalled ? reason : 'None', stalled ? message : '', at, ctx.specHash),
  ];
  const exitCode = ctx.collected?.exitCode ?? ctx.exit?.exitCode ?? undefined;
  const status: SparkJobStatus = {
    phase,
    observedSpecHash: ctx.specHash,
    conditions,
    submissionAttempts: ctx.submissionAttempts,
    executionAttempts: ctx.executionAttempts,
    message,
  };
  const startTime = iso(ctx.startedAt);
  if (startTime) status.startTime = startTime;
  const completionTime = phase === 'Succeeded' || phase === 'Failed' ? iso(ctx.completedAt) : undefined;
  if (completionTime) status.completionTime = completionTime;
  if (ctx.driver) status.driver = ctx.driver;
  if (exitCode !== undefined && exitCode !== null) status.exitCode = exitCode;
  if (ctx.collected) {
    status.results = {
      outputs: ctx.collected.outputs.map((o) =>
        o.bytes === undefined ? { name: o.name, path: o.path } : { name: o.name, path: o.path, bytes: o.bytes },
      ),
      cached: ctx.collected.cached,
    };
  }
  if (ctx.lastHandledRerunAt) status.lastHandledRerunAt = ctx.lastHandledRerunAt;
  return status;
}

/** Whether two statuses differ in anything but condition timestamps (so equal ones are not rewritten). */
export function sameStatus(a: SparkJobStatus | undefined, b: SparkJobStatus | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
