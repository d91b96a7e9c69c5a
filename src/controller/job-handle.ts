import type { Actor, SnapshotFrom } from 'xstate';
import { restingTransition, restsUntil, type RestingStep } from '../machines/at-rest.js';
import type { JobEvent } from '../machines/types.js';
import type { machineWithBackends } from './job-actors.js';

/** The SparkJob machine with its real (or, in tests, fake) actors. */
export type JobMachine = ReturnType<typeof machineWithBackends>;
/** One running job's actor. */
export type JobActor = Actor<JobMachine>;
type Snapshot = SnapshotFrom<JobMachine>;

/** What a handle asks of the registry. */
export interface HandleHooks {
  /** Creates the actor from a persisted snapshot, listens to it and attaches it (handle.attach); the handle starts it. */
  readonly wake: (persisted: unknown) => JobActor;
  /** The snapshot changed by a step taken at rest (`step.announcements` transitions announced). */
  readonly rested: (step: RestingStep) => void;
}

/** Longest single setTimeout (about 24.8 days); a later deadline re-arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A job's actor, started only when needed. A job at rest (machines/at-rest.ts: suspended, invalid,
 * finished) keeps a snapshot and no actor; an event that leads from it to another state at rest is
 * taken by the machine without one (xstate's pure `transition`), any other event starts the actor
 * from the snapshot first. A finished job whose results expire starts its actor at that deadline.
 */
export class JobHandle {
  private live?: JobActor;
  private timer?: NodeJS.Timeout;

  /** `resting`: the job's snapshot at rest; `persisted`: its persisted form when known (a journal record's). */
  constructor(
    private readonly machine: JobMachine,
    private resting: Snapshot | undefined,
    private persisted: unknown,
    private readonly hooks: HandleHooks,
  ) {
    this.arm();
  }

  /** Whether the job has a running actor. */
  get awake(): boolean {
    return this.live !== undefined;
  }

  getSnapshot(): Snapshot {
    if (this.live) return this.live.getSnapshot();
    if (!this.resting) throw new Error('a job handle has neither an actor nor a snapshot at rest');
    return this.resting;
  }

  getPersistedSnapshot(): unknown {
    if (this.live) return this.live.getPersistedSnapshot();
    this.persisted ??= this.machine.getPersistedSnapshot(this.getSnapshot());
    return this.persisted;
  }

  send(event: JobEvent): void {
    if (this.live) return this.live.send(event);
    const step = restingTransition(this.machine, this.getSnapshot(), event);
    if (step) {
      this.resting = step.snapshot;
      this.persisted = undefined;
      this.arm();
      this.hooks.rested(step);
      return;
    }
    this.wake().send(event);
  }

  /** Starts the actor (from the snapshot at rest) if it is not running yet. */
  wake(): JobActor {
    if (this.live) return this.live;
    clearTimeout(this.timer);
    const actor = this.hooks.wake(this.getPersistedSnapshot());
    if (!this.awake) throw new Error('the registry did not attach the actor it woke');
    actor.start();
    return actor;
  }

  /** Takes the actor the registry built (started by the caller). */
  attach(actor: JobActor): void {
    this.live = actor;
    this.resting = undefined;
    this.persisted = undefined;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.live?.stop();
  }

  /** A job at rest whose results expire gets its actor at that time (the actor's own timer then fires at once). */
  private arm(): void {
    clearTimeout(this.timer);
    if (this.live || !this.resting) return;
    const at = restsUntil(this.resting);
    if (!Number.isFinite(at)) return;
    const left = at - Date.now();
    this.timer = setTimeout(() => (left > MAX_TIMER_MS ? this.arm() : this.wake()), Math.max(0, Math.min(left, MAX_TIMER_MS)));
    this.timer.unref();
  }
}
