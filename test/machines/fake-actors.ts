import { fromPromise } from 'xstate';
import type { SparkJob } from '../../src/api/spark-job.js';
import { SparkJobSchema } from '../../src/api/spark-job.js';
import { sparkJobMachine } from '../../src/machines/spark-job-machine.js';
import type {
  CacheOutput,
  CollectOutput,
  ConnectOutput,
  DriverInput,
  ReleaseInput,
  RequestOutput,
  RunInput,
  StartInput,
  StartOutput,
  WaitOutput,
} from '../../src/machines/types.js';

/** A valid job for machine tests, with spec overrides. */
export function testJob(spec: Record<string, unknown> = {}): SparkJob {
  return SparkJobSchema.parse({
    apiVersion: 'sparkctl.io/v1alpha1',
    kind: 'SparkJob',
    metadata: { name: 'job-a' },
    spec: { image: 'img', mainApplicationFile: 'local:///app.jar', mainClass: 'Main', ...spec },
  });
}

/** Records which side effects ran, in order, so tests can assert on acquire/release pairs. */
export interface FakeLog {
  calls: string[];
}

/** Behaviour knobs for the fake actors. */
export interface FakeBehaviour {
  exitCodes?: number[];
  connectError?: Error;
  requestError?: Error;
  startError?: Error;
  waitForever?: boolean;
  cached?: CacheOutput;
}

/** The machine with fake actors that record calls and follow `behaviour`. */
export function machineWithFakes(log: FakeLog, behaviour: FakeBehaviour = {}) {
  let run = 0;
  return sparkJobMachine.provide({
    actors: {
      lookupCache: fromPromise<CacheOutput, RunInput>(async () => behaviour.cached ?? null),
      connectBackend: fromPromise<ConnectOutput, RunInput>(async () => {
        log.calls.push('connect');
        if (behaviour.connectError) throw behaviour.connectError;
        return { backend: 'docker', version: '1.41' };
      }),
      requestResources: fromPromise<RequestOutput, RunInput>(async ({ input }) => {
        log.calls.push(`reserve:${input.run.attempt}`);
        if (behaviour.requestError) throw behaviour.requestError;
        return { key: `${input.run.name}/${input.run.attempt}`, cpus: 1, memMiB: 1408 };
      }),
      startDriver: fromPromise<StartOutput, StartInput>(async ({ input }) => {
        log.calls.push(`start:${input.run.attempt}`);
        if (behaviour.startError) throw behaviour.startError;
        return { backend: 'docker', containerId: `c${input.run.attempt}` };
      }),
      waitForDriver: fromPromise<WaitOutput, DriverInput>(async ({ input, signal }) => {
        log.calls.push(`wait:${input.run.attempt}`);
        if (behaviour.waitForever) {
          await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
        }
        const code = behaviour.exitCodes?.[run++] ?? 0;
        return { exitCode: code, outcome: code === 0 ? 'succeeded' : 'failed', finishedAt: new Date().toISOString() };
      }),
      collectResults: fromPromise<CollectOutput, DriverInput>(async ({ input }) => {
        log.calls.push(`collect:${input.run.attempt}`);
        return { exitCode: 0, outputs: [] };
      }),
      releaseResources: fromPromise<void, ReleaseInput>(async ({ input }) => {
        log.calls.push(`release:${input.run.attempt}${input.driver ? ':driver' : ''}${input.reservation ? ':reservation' : ''}`);
      }),
    },
  });
}
