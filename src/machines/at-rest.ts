import { initialTransition, transition, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import { inputContext, ttlExpiresAt, type SparkJobMachine } from './spark-job-machine.js';
import type { Phase } from '../api/status.js';
import type { JobContext, JobEvent, JobInput } from './types.js';

/*
 * Jobs at rest: a job that waits for nothing but an event from outside (suspended, invalid,
 * finished) needs no running xstate actor. The controller keeps its snapshot, computed here from
 * the machine itself, and starts an actor from it only when an event leads somewhere that does
 * something (resume, rerun, a new spec that runs, release, TTL expiry).
 */

type Snapshot = SnapshotFrom<SparkJobMachine>;

/** The job sits in a state that starts nothing: suspended, invalid, or finished (its TTL is a deadline, see ttlExpiresAt). */
export function atRest(snap: Snapshot): boolean {
  if (snap.status !== 'active' || Object.keys(snap.children).length > 0) return false;
  return snap.matches('suspended') || snap.matches('invalid') || snap.matches('succeeded') || snap.matches('failed');
}

/** When a job at rest needs its actor on its own (a finished job's TTL), in epoch ms; infinite for never. */
export function restsUntil(snap: Snapshot): number {
  return snap.matches('succeeded') || snap.matches('failed') ? ttlExpiresAt(snap.context) : Number.POSITIVE_INFINITY;
}

/** What a step taken without an actor did: the snapshot it leads to, and how many announcements it emitted. */
export interface RestingStep {
  readonly snapshot: Snapshot;
  readonly announcements: number;
}

/** Actions a step may carry and still be taken without an actor: announcements, and children it started and stopped in the same step. */
const INERT = new Set(['xstate.emit', 'xstate.spawnChild', 'xstate.stopChild']);

function resting(snapshot: Snapshot, actions: ReadonlyArray<{ type: string }>): RestingStep | undefined {
  if (!(atRest(snapshot) || snapshot.status === 'done') || Object.keys(snapshot.children).length > 0) return undefined;
  if (!actions.every((a) => INERT.has(a.type))) return undefined;
  return { snapshot, announcements: actions.filter((a) => a.type === 'xstate.emit').length };
}

/** The step an event takes from a snapshot at rest when it ends at rest again (or deleted) and starts nothing; undefined otherwise. */
export function restingTransition(machine: SparkJobMachine, snap: Snapshot, event: JobEvent): RestingStep | undefined {
  const [next, actions] = transition(machine, snap, event);
  return resting(next, actions);
}

/** Per machine: the first step of a job created suspended, taken once with a stand-in input (see restingAtBirth). */
const births = new WeakMap<AnyStateMachine, RestingStep | null>();
const STAND_IN: JobInput = {
  name: 'stand-in',
  spec: {} as JobInput['spec'],
  specHash: 'stand-in',
  suspended: true,
};

/**
 * The resting step of a job created with `input`, when the machine rests at once (a job first seen
 * suspended); undefined when it has to run. The machine's first step is taken once per machine with a
 * stand-in input and filled with each job's input fields (the first step reads none of them but
 * `suspended`: test/machines/at-rest.test.ts checks this against a real first step per job).
 */
export function restingAtBirth(machine: SparkJobMachine, input: JobInput): RestingStep | undefined {
  if (input.suspended !== true) return undefined;
  let birth = births.get(machine);
  if (birth === undefined) {
    const [first, actions] = initialTransition(machine, STAND_IN);
    birth = resting(first, actions) ?? null;
    births.set(machine, birth);
  }
  if (birth === null) return undefined;
  const snapshot = machine.resolveState({
    value: birth.snapshot.value,
    context: { ...birth.snapshot.context, ...inputContext(input) },
  }) as Snapshot;
  return { snapshot, announcements: birth.announcements };
}

/** A snapshot object for a persisted one, without starting anything (its children are left out: see atRest). */
export function resolvePersisted(machine: SparkJobMachine, persisted: { value: unknown; context: unknown }): Snapshot {
  return machine.resolveState({
    value: persisted.value as Snapshot['value'],
    context: persisted.context as Snapshot['context'],
  }) as Snapshot;
}

/**
 * A job that never started (suspended or invalid with no attempt, driver or reservation): its
 * record says nothing its manifest does not say again, so losing it in a crash loses nothing
 * (RELIABILITY.md, "Records of jobs that never started").
 */
export function neverStarted(ctx: JobContext, phase: Phase): boolean {
  return (phase === 'Suspended' || phase === 'Invalid') && ctx.attempt === 0 && !ctx.driver && !ctx.reservation;
}
