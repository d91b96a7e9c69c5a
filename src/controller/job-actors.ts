import { copyFile, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fromPromise } from 'xstate';
import type { MesosBackendOptions } from '../backends/mesos/create-mesos-backend.js';
import type { Backend, JobRun } from '../backends/ports.js';
import type { BackendRegistry } from './backend-registry.js';
import { messageOf } from '../errors.js';
import { storageErrorCode } from '../fs/storage-error.js';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { sparkJobMachine } from '../machines/spark-job-machine.js';
import type {
  CacheOutput,
  CachedResult,
  CollectOutput,
  ConnectOutput,
  DriverInput,
  ReleaseInput,
  RequestOutput,
  RunInput,
  StartInput,
  StartOutput,
  WaitOutput,
} from '../machines/types.js';
import { JournalUnavailableError } from '../state/errors.js';
import type { Journal } from '../state/journal.js';
import { LogTimesWriter } from '../state/log-times.js';

/**
 * What the controller gives the Mesos backend for orphan reporting: the tasks its journal records for
 * Mesos jobs (reconciled explicitly after every subscribe), and a report of sparkctl tasks nobody here owns.
 */
export type MesosHooks = Required<Pick<MesosBackendOptions, 'knownTasks' | 'onUnknownTask'>>;

/** The engines a controller drives, by kind; Mesos is created on first use, with the controller's hooks. */
export interface Backends {
  readonly docker: Backend;
  readonly mesos: (hooks: MesosHooks) => Backend;
}

/** What the actors tell the controller: progress notes, and "save this job's record now". */
export interface ActorHooks {
  /** Sends a progress note back to the job's actor. */
  readonly onProgress: (name: string, message: string) => void;
  /** Projects the job's current snapshot and writes its journal record (resolves once written or failed). */
  readonly persist: (name: string) => Promise<void>;
}

const CACHE_FILE = 'result.json';

/** Builds the SparkJob machine with real actors over the backends and the journal. */
export function machineWithBackends(backends: BackendRegistry, journal: Journal, { onProgress, persist }: ActorHooks) {
  return sparkJobMachine.provide({
    actors: {
      lookupCache: fromPromise<CacheOutput, RunInput>(async ({ input }) => {
        if (!input.run.spec.cache.enabled) return null;
        try {
          const text = await readFile(join(journal.cacheDir(input.run.specHash), CACHE_FILE), 'utf8');
          return JSON.parse(text) as CachedResult;
        } catch {
          return null;
        }
      }),
      connectBackend: fromPromise<ConnectOutput, RunInput>(({ input, signal }) =>
        backends.for(input.run.spec).connect(input.run, { signal, onProgress: (m) => onProgress(input.run.name, m) }),
      ),
      requestResources: fromPromise<RequestOutput, RunInput>(({ input, signal }) =>
        backends.for(input.run.spec).requestResources(input.run, { signal, onProgress: (m) => onProgress(input.run.name, m) }),
      ),
      startDriver: fromPromise<StartOutput, StartInput>(({ input, signal }) =>
        backends.for(input.run.spec).start(input.run, input.reservation, { signal }),
      ),
      waitForDriver: fromPromise<WaitOutput, DriverInput>(async ({ input, signal }) => {
        const path = journal.logPath(input.run.name, input.run.attempt);
        // The log is streamed from the start on every (re)attach, so the file is rewritten from empty.
        // A state dir that cannot take it does not stop the wait: collecting fetches the whole log.
        // Arrival times go beside the log (state/log-times.ts) for `logs --timestamps` and `--since`.
        const handle = await mkdir(join(path, '..'), { recursive: true, mode: 0o700 })
          .then(() => open(path, 'w', 0o600))
          .catch(() => undefined);
        const times = handle ? await LogTimesWriter.open(path).catch(() => undefined) : undefined;
        let chain = Promise.resolve();
        try {
          return await backends.for(input.run.spec).wait(input.run, input.driver, {
            signal,
            onLog: (chunk) => {
              if (handle)
                chain = chain
                  .then(() => handle.write(chunk))
                  .then(() => times?.record(chunk))
                  .catch(() => undefined);
            },
          });
        } finally {
          await chain;
          await handle?.close();
        }
      }),
      collectResults: fromPromise<CollectOutput, DriverInput>(async ({ input, signal }) => {
        try {
          const dest = journal.outputsDir(input.run.name, input.run.attempt);
          await mkdir(dest, { recursive: true, mode: 0o700 });
          const collected = await backends.for(input.run.spec).collect(input.run, input.driver, dest, { signal });
          await writeFileAtomic(journal.logPath(input.run.name, input.run.attempt), collected.log, { mode: 0o600 });
          const result: CollectOutput = { exitCode: collected.exitCode, outputs: collected.outputs };
          if (input.run.spec.cache.enabled && collected.exitCode === 0) await storeInCache(journal, input.run, result);
          return result;
        } catch (err) {
          // Fail-stop: results that cannot be stored keep the driver; the machine collects again later.
          const code = storageErrorCode(err);
          if (code === undefined) throw err;
          throw new JournalUnavailableError(
            `the results of attempt ${input.run.attempt} could not be stored in ${journal.stateDir} (${code}: ${messageOf(err)}); the driver is kept until the state dir can be written (free space or fix the disk)`,
            { cause: err },
          );
        }
      }),
      releaseResources: fromPromise<void, ReleaseInput>(async ({ input, signal }) => {
        // The journal must say "releasing" before anything is removed: a controller killed in
        // between then restarts the release instead of waiting on a driver that is gone.
        // Fail-stop: nothing is removed while that record (with what was collected) is not on disk.
        // The actor already is in releasing when this runs: persist saves that snapshot.
        await persist(input.run.name);
        await journal.durable(input.run.name);
        await backends.for(input.run.spec).release(input.run, input.driver, input.reservation, { signal });
      }),
    },
  });
}

async function storeInCache(journal: Journal, run: JobRun, result: CollectOutput): Promise<void> {
  const dir = journal.cacheDir(run.specHash);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const outputs = [];
  for (const o of result.outputs) {
    if (o.bytes === undefined) {
      outputs.push(o);
      continue;
    }
    const to = join(dir, o.name);
    await copyFile(o.path, to);
    outputs.push({ ...o, path: to, bytes: (await stat(to)).size });
  }
  const cached: CachedResult = { specHash: run.specHash, exitCode: result.exitCode ?? 0, outputs };
  await writeFileAtomic(join(dir, CACHE_FILE), JSON.stringify(cached), { mode: 0o600 });
}
