/*
 * Over 300 lines on purpose: xstate takes a machine as one config object, and its states read
 * best as one table (every transition of a state next to it). Guards, timers and helpers that
 * do not need the config live beside it (retry-policy.ts, project-status.ts, types.ts).
 */
import { backoffDelay, type Backoff } from '../backoff.js';
import type { ReasonName } from '../api/conditions.js';
import type { Phase } from '../api/status.js';
import { EngineOutageError } from '../errors.js';
import { assign, emit, fromCallback, fromPromise, setup } from 'xstate';
import type { JobRun } from '../backends/ports.js';
import { retryDelayMs, shouldRetryFailure, shouldRetrySuccess } from './retry-policy.js';
import type {
  CacheOutput,
  CollectOutput,
  ConnectOutput,
  DriverInput,
  JobContext,
  JobEmitted,
  JobEvent,
  JobFailure,
  JobInput,
  ReleaseCause,
  ReleaseInput,
  RequestOutput,
  RunInput,
  StartInput,
  StartOutput,
  TimerInput,
  WaitOutput,
} from './types.js';

/** Delay between two tries of a release that failed (the engine may be back soon). */
export const RELEASE_RETRY_MS = 2_000;
/** Bounds of the delay between two tries of re-attaching to a driver while its engine is unreachable. */
export const REATTACH_MIN_MS = 1_000;
export const REATTACH_MAX_MS = 30_000;
const REATTACH_BACKOFF: Backoff = { initialMs: REATTACH_MIN_MS, maxMs: REATTACH_MAX_MS };
/** How long a re-attached wait must hold before the engine outage note is dropped. */
export const REATTACH_SETTLE_MS = 5_000;
/** Bounds of the delay between two tries of collecting results the state dir could not store. */
export const COLLECT_RETRY_MIN_MS = 2_000;
export const COLLECT_RETRY_MAX_MS = 30_000;
const COLLECT_BACKOFF: Backoff = { initialMs: COLLECT_RETRY_MIN_MS, maxMs: COLLECT_RETRY_MAX_MS };
/** Bounds of the delay between two tries of connecting to an unreachable engine or master. */
export const CONNECT_RETRY_MIN_MS = 1_000;
export const CONNECT_RETRY_MAX_MS = 30_000;
const CONNECT_BACKOFF: Backoff = { initialMs: CONNECT_RETRY_MIN_MS, maxMs: CONNECT_RETRY_MAX_MS };

const notProvided = (name: string) => () => {
  throw new Error(`actor ${name} was not provided: build the machine with machine.provide({ actors })`);
};

/** Fires `event` once at the epoch ms in `at` (never when `at` is not finite); survives restore because `at` is absolute. */
export const absoluteTimer = fromCallback<JobEvent, TimerInput & { event: JobEvent['type'] }>(({ sendBack, input }) => {
  if (!Number.isFinite(input.at)) return undefined;
  let timer: NodeJS.Timeout | undefined;
  // setTimeout caps at ~24.8 days; re-arm until the deadline really passes.
  const arm = () => {
    const left = input.at - Date.now();
    if (left <= 0) {
      sendBack({ type: input.event } as JobEvent);
      return;
    }
    timer = setTimeout(arm, Math.min(left, 2 ** 31 - 1));
  };
  arm();
  return () => clearTimeout(timer);
});

/** The run the invoked actors work on, built from the context. */
export function currentRun(context: JobContext): JobRun {
  return { name: context.name, specHash: context.specHash, attempt: context.attempt, spec: context.spec };
}

const failureOf = (error: unknown, stage: JobFailure['stage'], fallbackReason: ReasonName): JobFailure => {
  const e = error as { message?: unknown; reason?: unknown; errorClass?: unknown } | undefined;
  const errorClass = e?.errorClass === 'terminal' || e?.errorClass === 'waiting' ? e.errorClass : 'retryable';
  return {
    message: typeof e?.message === 'string' ? e.message : String(error),
    // Thrown values are SparkctlErrors (whose reason is a ReasonName) or foreign errors (which get the fallback).
    reason: typeof e?.reason === 'string' && e.reason !== 'Error' ? (e.reason as ReasonName) : fallbackReason,
    errorClass,
    stage,
  };
};

const deadlineAt = (from: number | undefined, seconds: number | undefined) =>
  from === undefined || seconds === undefined ? Number.POSITIVE_INFINITY : from + seconds * 1000;

/** Fields reset when a new spec (or a rerun) starts from scratch. */
const freshRun = {
  executionAttempts: 0,
  submissionAttempts: 0,
  executionFailures: 0,
  submissionFailures: 0,
  reservation: undefined,
  driver: undefined,
  exit: undefined,
  collected: undefined,
  failure: undefined,
  releaseCause: undefined,
  requestedAt: undefined,
  startedAt: undefined,
  completedAt: undefined,
  retryAt: undefined,
  progress: undefined,
  progressReason: undefined,
  collectDelayMs: undefined,
  collectRetries: undefined,
  connectRetries: undefined,
  expired: false,
  invalidReason: undefined,
} satisfies Partial<JobContext>;

/** While a run holds (or may hold) resources, suspend, delete and a new spec release it first. */
const releaseOnRequest = {
  'job.suspend': { target: 'releasing', actions: { type: 'releaseFor', params: { cause: 'suspend' } } },
  'job.delete': { target: 'releasing', actions: { type: 'releaseFor', params: { cause: 'delete' } } },
  'job.specChanged': { target: 'releasing', actions: [{ type: 'releaseFor', params: { cause: 'specChange' } }, 'queueNextSpec'] },
} as const;

/** A spec that became invalid mid-run releases the run, then the job rests in invalid. */
const releaseOnInvalid = {
  'job.invalidate': { target: 'releasing', actions: [{ type: 'releaseFor', params: { cause: 'invalid' } }, 'markInvalid'] },
} as const;

/** When a finished job's results expire (epoch ms; infinite when they never do or already did). */
export const ttlExpiresAt = (context: JobContext): number =>
  context.expired ? Number.POSITIVE_INFINITY : deadlineAt(context.completedAt, context.spec.timeToLiveSeconds);

/** The context fields a job's input sets (the rest starts fresh); the registry fills a resolved snapshot with them too (at-rest.ts). */
export const inputContext = (input: JobInput) => ({
  name: input.name,
  spec: input.spec,
  specHash: input.specHash,
  lastHandledRerunAt: input.lastHandledRerunAt,
});

/** Succeeded and failed behave alike: results expire after timeToLiveSeconds; a rerun or a new spec starts over. */
const finishedState = {
  entry: 'announce' as const,
  invoke: {
    src: 'timer' as const,
    input: ({ context }: { context: JobContext }) => ({ at: ttlExpiresAt(context), event: 'ttl.expired' as const }),
  },
  on: {
    'ttl.expired': { actions: ['expire' as const, 'announce' as const] },
    'job.rerun': { target: 'pending', actions: 'startRerun' as const },
    'job.specChanged': { target: 'pending', actions: 'adoptNewSpec' as const },
    'job.delete': 'deleted',
    'job.invalidate': { target: 'invalid', actions: 'markInvalid' as const },
  },
};

/** The SparkJob lifecycle: decisions only; every side effect is an invoked actor supplied with provide(). */
export const sparkJobMachine = setup({
  types: {
    context: {} as JobContext,
    events: {} as JobEvent,
    input: {} as JobInput,
    emitted: {} as JobEmitted,
    /** Each state carries exactly one tag: the phase a job in it shows (project-status.ts reads it). */
    tags: {} as Phase,
  },
  actors: {
    lookupCache: fromPromise<CacheOutput, RunInput>(notProvided('lookupCache')),
    connectBackend: fromPromise<ConnectOutput, RunInput>(notProvided('connectBackend')),
    requestResources: fromPromise<RequestOutput, RunInput>(notProvided('requestResources')),
    startDriver: fromPromise<StartOutput, StartInput>(notProvided('startDriver')),
    waitForDriver: fromPromise<WaitOutput, DriverInput>(notProvided('waitForDriver')),
    collectResults: fromPromise<CollectOutput, DriverInput>(notProvided('collectResults')),
    releaseResources: fromPromise<void, ReleaseInput>(notProvided('releaseResources')),
    timer: absoluteTimer,
  },
  guards: {
    hasCachedResult: (_, output: CacheOutput) => output !== null,
    isTerminalFailure: ({ context }) => context.failure?.errorClass === 'terminal',
    isEngineOutage: (_, error: unknown) => error instanceof EngineOutageError,
    /** Something outside the run must change first (e.g. a full state dir): wait, keep the driver, try again. */
    isWaitingError: (_, error: unknown) => (error as { errorClass?: string } | undefined)?.errorClass === 'waiting',
    isRetryableConnectError: (_, error: unknown) => (error as { errorClass?: string } | undefined)?.errorClass !== 'terminal',
    isDeleting: ({ context }) => context.releaseCause === 'delete',
    hasNextSpec: ({ context }) => context.nextSpec !== undefined,
    isSuspending: ({ context }) => context.releaseCause === 'suspend',
    isInvalidating: ({ context }) => context.releaseCause === 'invalid',
    isCompleted: ({ context }) => context.releaseCause === 'completed',
    shouldRetryAfterSuccess: ({ context }) => shouldRetrySuccess(context.spec.restartPolicy),
    shouldRetryAfterFailure: ({ context }) => {
      const f = context.failure;
      if (f === undefined || f.errorClass === 'terminal') return false;
      const count = f.stage === 'submission' ? context.submissionFailures : context.executionFailures;
      return shouldRetryFailure(context.spec.restartPolicy, f.stage, count);
    },
    isSuccessfulExit: ({ context }) => context.exit?.outcome === 'succeeded' && context.exit.exitCode === 0,
  },
  actions: {
    /** Every state but the transient deciding ones announces its entry; so do transitions that change what the status shows. */
    announce: emit({ type: 'job.transitioned' } as const),
    beginAttempt: assign(({ context }) => ({
      attempt: context.attempt + 1,
      submissionAttempts: context.submissionAttempts + 1,
      requestedAt: Date.now(),
      startedAt: undefined,
      completedAt: undefined,
      reservation: undefined,
      driver: undefined,
      exit: undefined,
      collected: undefined,
      failure: undefined,
      releaseCause: undefined,
      retryAt: undefined,
      progress: undefined,
      progressReason: undefined,
      collectDelayMs: undefined,
      message: undefined,
    })),
    markRunning: assign(({ context }) => ({
      executionAttempts: context.executionAttempts + 1,
      startedAt: context.startedAt ?? Date.now(),
    })),
    releaseFor: assign((_, params: { cause: ReleaseCause }) => ({ releaseCause: params.cause })),
    recordSubmissionFailure: assign(({ context }, params: { error: unknown; reason: ReasonName }) => ({
      failure: failureOf(params.error, 'submission', params.reason),
      submissionFailures: context.submissionFailures + 1,
      releaseCause: 'failed' as const,
    })),
    recordExecutionFailure: assign(({ context }, params: { failure: JobFailure }) => ({
      failure: params.failure,
      executionFailures: context.executionFailures + 1,
      releaseCause: 'failed' as const,
    })),
    applyNextSpec: assign(({ context }) =>
      context.nextSpec ? { ...freshRun, spec: context.nextSpec.spec, specHash: context.nextSpec.specHash, nextSpec: undefined } : {},
    ),
    scheduleRetry: assign(({ context }) => {
      const f = context.failure;
      const stage = f?.stage ?? 'execution';
      const count = f === undefined ? 1 : stage === 'submission' ? context.submissionFailures : context.executionFailures;
      const delay = retryDelayMs(context.spec.restartPolicy, stage, Math.max(1, count));
      return { retryAt: Date.now() + delay, completedAt: Date.now() };
    }),
    queueNextSpec: assign(({ event }) =>
      event.type === 'job.specChanged' ? { nextSpec: { spec: event.spec, specHash: event.specHash } } : {},
    ),
    adoptNewSpec: assign(({ event }) =>
      event.type === 'job.specChanged' ? { ...freshRun, spec: event.spec, specHash: event.specHash } : {},
    ),
    startRerun: assign(({ event }) => (event.type === 'job.rerun' ? { ...freshRun, lastHandledRerunAt: event.requestedAt } : {})),
    markInvalid: assign(({ event }) =>
      event.type === 'job.invalidate' ? { message: event.message, invalidReason: event.reason ?? 'InvalidSpec' } : {},
    ),
    finish: assign({ completedAt: () => Date.now(), expired: false }),
    expire: assign({
      expired: true,
      collected: undefined,
      exit: undefined,
      message: 'Results and history forgotten after timeToLiveSeconds',
    }),
  },
  delays: {},
}).createMachine({
  id: 'sparkJob',
  context: ({ input }) => ({
    ...inputContext(input),
    attempt: 0,
    ...freshRun,
    startSuspended: input.suspended === true,
  }),
  initial: 'pending',
  on: {
    'job.progress': { actions: [assign({ progress: ({ event }) => event.message }), 'announce'] },
    // A rerun asked for while a run is under way is satisfied by that run.
    'job.rerun': { actions: assign({ lastHandledRerunAt: ({ event }) => event.requestedAt }) },
  },
  states: {
    pending: {
      tags: ['Pending'],
      entry: 'announce',
      // A job first seen with suspend: true goes straight to suspended, without a run.
      always: { guard: ({ context }) => context.startSuspended === true, target: 'suspended', actions: assign({ startSuspended: false }) },
      invoke: {
        id: 'lookupCache',
        src: 'lookupCache',
        input: ({ context }) => ({ run: currentRun(context) }),
        onDone: [
          {
            guard: { type: 'hasCachedResult' as const, params: ({ event }: { event: { output: CacheOutput } }) => event.output },
            target: 'succeeded',
            actions: assign(({ event }) => ({
              collected: { exitCode: event.output?.exitCode ?? 0, outputs: event.output?.outputs ?? [], cached: true },
              completedAt: Date.now(),
              message: 'Served from the cache of an identical spec',
            })),
          },
          { target: 'submitting' },
        ],
        onError: { target: 'submitting' },
      },
      on: {
        'job.suspend': 'suspended',
        'job.delete': 'deleted',
        'job.invalidate': { target: 'invalid', actions: 'markInvalid' },
        'job.specChanged': {
          target: 'pending',
          reenter: true,
          actions: assign(({ event }) => ({ ...freshRun, spec: event.spec, specHash: event.specHash })),
        },
      },
    },
    submitting: {
      entry: 'beginAttempt',
      invoke: {
        src: 'timer',
        input: ({ context }) => ({
          at: deadlineAt(context.requestedAt, context.spec.startDeadlineSeconds),
          event: 'deadline.start' as const,
        }),
      },
      on: {
        'deadline.start': {
          target: 'releasing',
          actions: assign(({ context }) => ({
            releaseCause: 'failed' as const,
            failure: {
              reason: 'StartDeadlineExceeded',
              errorClass: 'terminal' as const,
              stage: 'submission' as const,
              message: `not running within startDeadlineSeconds (${context.spec.startDeadlineSeconds}s)${
                context.progress ? `: ${context.progress}` : ''
              }`,
            },
          })),
        },
        ...releaseOnRequest,
        ...releaseOnInvalid,
      },
      initial: 'connecting',
      states: {
        connecting: {
          tags: ['Connecting'],
          entry: 'announce',
          invoke: {
            id: 'connectBackend',
            src: 'connectBackend',
            input: ({ context }) => ({ run: currentRun(context) }),
            onDone: {
              target: 'requestingResources',
              actions: assign({ connected: ({ event }) => event.output, progress: undefined, connectRetries: undefined }),
            },
            onError: [
              {
                guard: { type: 'isRetryableConnectError', params: ({ event }: { event: { error: unknown } }) => event.error },
                target: 'connectBackoff',
                actions: assign(({ context, event }) => ({
                  progress: failureOf(event.error, 'submission', 'EngineUnavailable').message,
                  retryAt: Date.now() + backoffDelay(context.connectRetries ?? 0, CONNECT_BACKOFF),
                  connectRetries: (context.connectRetries ?? 0) + 1,
                })),
              },
              {
                target: '#sparkJob.releasing',
                actions: { type: 'recordSubmissionFailure', params: ({ event }) => ({ error: event.error, reason: 'EngineUnavailable' }) },
              },
            ],
          },
        },
        connectBackoff: {
          tags: ['Connecting'],
          entry: 'announce',
          invoke: {
            src: 'timer',
            input: ({ context }) => ({ at: context.retryAt ?? Date.now(), event: 'retry.due' as const }),
          },
          on: { 'retry.due': 'connecting' },
        },
        requestingResources: {
          tags: ['RequestingResources'],
          entry: 'announce',
          invoke: {
            id: 'requestResources',
            src: 'requestResources',
            input: ({ context }) => ({ run: currentRun(context) }),
            onDone: { target: 'launching', actions: assign({ reservation: ({ event }) => event.output, progress: undefined }) },
            onError: {
              target: '#sparkJob.releasing',
              actions: {
                type: 'recordSubmissionFailure',
                params: ({ event }) => ({ error: event.error, reason: 'InsufficientResources' }),
              },
            },
          },
        },
        launching: {
          tags: ['RequestingResources'],
          entry: 'announce',
          invoke: {
            id: 'startDriver',
            src: 'startDriver',
            input: ({ context }) => {
              if (context.reservation === undefined) throw new Error('launching without a reservation');
              return { run: currentRun(context), reservation: context.reservation };
            },
            onDone: { target: '#sparkJob.running', actions: assign({ driver: ({ event }) => event.output }) },
            onError: {
              target: '#sparkJob.releasing',
              actions: { type: 'recordSubmissionFailure', params: ({ event }) => ({ error: event.error, reason: 'SubmissionFailed' }) },
            },
          },
        },
      },
    },
    running: {
      tags: ['Running'],
      entry: 'markRunning',
      invoke: {
        src: 'timer',
        input: ({ context }) => ({
          at: deadlineAt(context.startedAt, context.spec.activeDeadlineSeconds),
          event: 'deadline.active' as const,
        }),
      },
      initial: 'waiting',
      states: {
        waiting: {
          entry: 'announce',
          invoke: [
            {
              id: 'waitForDriver',
              src: 'waitForDriver',
              input: ({ context }) => {
                if (context.driver === undefined) throw new Error('running without a driver');
                return { run: currentRun(context), driver: context.driver };
              },
              onDone: { target: '#sparkJob.collecting', actions: assign({ exit: ({ event }) => event.output, progress: undefined }) },
              onError: [
                {
                  // Following the driver needs something outside the run (e.g. the state dir): keep the run, attach again.
                  guard: { type: 'isWaitingError', params: ({ event }: { event: { error: unknown } }) => event.error },
                  target: 'reattaching',
                  actions: assign(({ context, event }) => ({
                    progress: `${failureOf(event.error, 'execution', 'JournalUnavailable').message}; following the driver again soon`,
                    progressReason: failureOf(event.error, 'execution', 'JournalUnavailable').reason,
                    reattachDelayMs: backoffDelay(context.reattachRetries ?? 0, REATTACH_BACKOFF),
                    reattachRetries: (context.reattachRetries ?? 0) + 1,
                  })),
                },
                {
                  // The engine went away, not the driver: keep the run and attach again when it is back.
                  guard: { type: 'isEngineOutage', params: ({ event }: { event: { error: unknown } }) => event.error },
                  target: 'reattaching',
                  actions: assign(({ context, event }) => ({
                    progress: `${failureOf(event.error, 'execution', 'EngineUnavailable').message}; re-attaching to the driver`,
                    progressReason: 'EngineUnavailable',
                    reattachDelayMs: backoffDelay(context.reattachRetries ?? 0, REATTACH_BACKOFF),
                    reattachRetries: (context.reattachRetries ?? 0) + 1,
                  })),
                },
                {
                  target: '#sparkJob.releasing',
                  actions: {
                    type: 'recordExecutionFailure',
                    params: ({ event }) => ({ failure: failureOf(event.error, 'execution', 'DriverFailed') }),
                  },
                },
              ],
            },
            {
              // Attached for a while without an outage: the note about the engine is stale.
              src: 'timer',
              input: ({ context }) => ({
                at: context.progress ? Date.now() + REATTACH_SETTLE_MS : Number.POSITIVE_INFINITY,
                event: 'reattach.settled' as const,
              }),
            },
          ],
          on: {
            'reattach.settled': {
              actions: [
                assign({ progress: undefined, progressReason: undefined, reattachDelayMs: undefined, reattachRetries: undefined }),
                'announce',
              ],
            },
          },
        },
        reattaching: {
          entry: 'announce',
          invoke: {
            src: 'timer',
            input: ({ context }) => ({ at: Date.now() + (context.reattachDelayMs ?? REATTACH_MIN_MS), event: 'retry.due' as const }),
          },
          on: { 'retry.due': 'waiting' },
        },
      },
      on: {
        'deadline.active': {
          target: 'releasing',
          actions: {
            type: 'recordExecutionFailure',
            params: ({ context }) => ({
              failure: {
                reason: 'ActiveDeadlineExceeded',
                errorClass: 'terminal',
                stage: 'execution',
                message: `still running after activeDeadlineSeconds (${context.spec.activeDeadlineSeconds}s); the driver was stopped`,
              },
            }),
          },
        },
        ...releaseOnRequest,
        ...releaseOnInvalid,
      },
    },
    collecting: {
      tags: ['Collecting'],
      entry: 'announce',
      invoke: {
        id: 'collectResults',
        src: 'collectResults',
        input: ({ context }) => {
          if (context.driver === undefined) throw new Error('collecting without a driver');
          return { run: currentRun(context), driver: context.driver };
        },
        onDone: [
          {
            guard: 'isSuccessfulExit',
            target: 'releasing',
            actions: assign(({ event }) => ({
              collected: { exitCode: event.output.exitCode, outputs: event.output.outputs, cached: false },
              releaseCause: 'completed' as const,
              progress: undefined,
              progressReason: undefined,
              collectDelayMs: undefined,
              collectRetries: undefined,
            })),
          },
          {
            target: 'releasing',
            actions: [
              assign(({ event }) => ({
                collected: { exitCode: event.output.exitCode, outputs: event.output.outputs, cached: false },
                progress: undefined,
                progressReason: undefined,
                collectDelayMs: undefined,
                collectRetries: undefined,
              })),
              {
                type: 'recordExecutionFailure',
                params: ({ context }) => ({ failure: driverFailure(context) }),
              },
            ],
          },
        ],
        onError: [
          {
            // Fail-stop: results that cannot be recorded keep the driver (the evidence) until they can.
            guard: { type: 'isWaitingError', params: ({ event }: { event: { error: unknown } }) => event.error },
            target: 'collectBackoff',
            actions: assign(({ context, event }) => {
              const delay = backoffDelay(context.collectRetries ?? 0, COLLECT_BACKOFF);
              const f = failureOf(event.error, 'execution', 'JournalUnavailable');
              return {
                progress: f.message,
                progressReason: f.reason,
                collectDelayMs: delay,
                collectRetries: (context.collectRetries ?? 0) + 1,
                retryAt: Date.now() + delay,
              };
            }),
          },
          {
            guard: 'isSuccessfulExit',
            target: 'releasing',
            actions: assign(({ event }) => ({
              releaseCause: 'completed' as const,
              message: `driver succeeded but its results could not be collected: ${failureOf(event.error, 'execution', 'Collecting').message}`,
            })),
          },
          {
            target: 'releasing',
            actions: { type: 'recordExecutionFailure', params: ({ context }) => ({ failure: driverFailure(context) }) },
          },
        ],
      },
      on: {
        ...releaseOnRequest,
      },
    },
    collectBackoff: {
      tags: ['Collecting'],
      entry: 'announce',
      invoke: { src: 'timer', input: ({ context }) => ({ at: context.retryAt ?? Date.now(), event: 'retry.due' as const }) },
      on: {
        'retry.due': 'collecting',
        ...releaseOnRequest,
      },
    },
    releasing: {
      tags: ['Releasing'],
      entry: 'announce',
      invoke: {
        id: 'releaseResources',
        src: 'releaseResources',
        input: ({ context }) => ({ run: currentRun(context), driver: context.driver, reservation: context.reservation }),
        onDone: [
          { guard: 'isDeleting', target: 'deleted', actions: assign({ reservation: undefined }) },
          { guard: 'hasNextSpec', target: 'pending', actions: 'applyNextSpec' },
          { guard: 'isSuspending', target: 'suspended', actions: assign({ driver: undefined, reservation: undefined }) },
          { guard: 'isInvalidating', target: 'invalid', actions: assign({ driver: undefined, reservation: undefined }) },
          { guard: 'isCompleted', target: 'decideAfterSuccess', actions: assign({ reservation: undefined }) },
          { target: 'decideAfterFailure', actions: assign({ reservation: undefined }) },
        ],
        onError: {
          target: 'releaseBackoff',
          actions: assign(({ event }) => {
            const f = failureOf(event.error, 'execution', 'Releasing');
            return {
              progress: `release failed, retrying: ${f.message}`,
              progressReason: f.errorClass === 'waiting' ? f.reason : undefined,
              retryAt: Date.now() + RELEASE_RETRY_MS,
            };
          }),
        },
      },
      on: {
        'job.delete': { actions: [{ type: 'releaseFor', params: { cause: 'delete' } }, 'announce'] },
        'job.specChanged': { actions: 'queueNextSpec' },
        'job.suspend': {
          guard: ({ context }) => context.releaseCause !== 'delete',
          actions: [{ type: 'releaseFor', params: { cause: 'suspend' } }, 'announce'],
        },
      },
    },
    releaseBackoff: {
      tags: ['Releasing'],
      entry: 'announce',
      invoke: { src: 'timer', input: ({ context }) => ({ at: context.retryAt ?? Date.now(), event: 'retry.due' as const }) },
      on: {
        'retry.due': 'releasing',
        'job.delete': { actions: [{ type: 'releaseFor', params: { cause: 'delete' } }, 'announce'] },
        'job.specChanged': { actions: 'queueNextSpec' },
      },
    },
    decideAfterSuccess: {
      tags: ['Succeeded'],
      always: [
        { guard: 'shouldRetryAfterSuccess', target: 'retrying', actions: 'scheduleRetry' },
        { target: 'succeeded', actions: 'finish' },
      ],
    },
    decideAfterFailure: {
      tags: ['Failed'],
      always: [
        { guard: 'shouldRetryAfterFailure', target: 'retrying', actions: 'scheduleRetry' },
        { target: 'failed', actions: 'finish' },
      ],
    },
    retrying: {
      tags: ['Retrying'],
      entry: 'announce',
      invoke: { src: 'timer', input: ({ context }) => ({ at: context.retryAt ?? Date.now(), event: 'retry.due' as const }) },
      on: {
        'retry.due': { target: 'submitting' },
        'job.suspend': 'suspended',
        'job.delete': 'deleted',
        'job.invalidate': { target: 'invalid', actions: 'markInvalid' },
        'job.specChanged': { target: 'pending', actions: 'adoptNewSpec' },
        'job.rerun': { actions: assign({ lastHandledRerunAt: ({ event }) => event.requestedAt }) },
      },
    },
    succeeded: { ...finishedState, tags: ['Succeeded'] },
    failed: { ...finishedState, tags: ['Failed'] },
    suspended: {
      tags: ['Suspended'],
      entry: 'announce',
      on: {
        'job.resume': { target: 'pending', actions: assign({ ...freshRun }) },
        'job.specChanged': { actions: 'adoptNewSpec' },
        'job.delete': 'deleted',
        'job.invalidate': { target: 'invalid', actions: 'markInvalid' },
        'job.rerun': { actions: assign({ lastHandledRerunAt: ({ event }) => event.requestedAt }) },
      },
    },
    invalid: {
      tags: ['Invalid'],
      entry: 'announce',
      on: {
        'job.specChanged': {
          target: 'pending',
          actions: assign(({ event }) => ({ ...freshRun, spec: event.spec, specHash: event.specHash, message: undefined })),
        },
        'job.invalidate': { actions: ['markInvalid', 'announce'] },
        'job.delete': 'deleted',
      },
    },
    // Released and about to be forgotten: the registry drops the job on this final state.
    deleted: { type: 'final', tags: ['Releasing'] },
  },
});

function driverFailure(context: JobContext): JobFailure {
  const exit = context.exit;
  if (exit?.outcome === 'lost') {
    return { reason: 'TaskLost', errorClass: 'retryable', stage: 'execution', message: exit.message ?? 'the driver was lost' };
  }
  const code = exit?.exitCode;
  return {
    reason: 'DriverFailed',
    errorClass: 'retryable',
    stage: 'execution',
    message: `driver exited with code ${code ?? 'unknown'}${exit?.message ? `: ${exit.message}` : ''}`,
  };
}

/** The machine's type, for callers that provide actors or restore snapshots. */
export type SparkJobMachine = typeof sparkJobMachine;
