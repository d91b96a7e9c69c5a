import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { ownSandbox } from './agent-user.js';
import { dockerRunSpec, type RunContext } from './docker-run-spec.js';
import { missingTlsSettings } from './require-tls.js';
import { fetchUris } from './fetch-uris.js';
import { isObject, type JsonObject } from './wire-json.js';

/** What the simulated Docker executor reports while it runs a task. */
export interface RunnerEvents {
  /** The image is present and the executor took the task (TASK_STARTING). */
  starting(): void;
  /** The container runs; `inspect` is `docker inspect`'s JSON array (TASK_RUNNING data). */
  running(inspect: unknown): void;
  /** The container could not be launched (TASK_FAILED, REASON_CONTAINER_LAUNCH_FAILED). */
  launchFailed(message: string): void;
  /** A kill arrived before the container started; `executorHadTask` once TASK_STARTING was sent. */
  killedBeforeStart(executorHadTask: boolean): void;
  /** The container exited; stdout and stderr are flushed to the sandbox. */
  exited(exitCode: number): void;
}

interface Running {
  container?: Docker.Container;
  killRequested: boolean;
  silenced: boolean;
}

/** Runs tasks as real containers on the local engine, output streamed to the sandbox's stdout/stderr. */
export class TaskRunner {
  readonly #runs = new Map<string, Running>();

  constructor(private readonly docker: Docker) {}

  /** Starts a task's container; events arrive on `events` unless the run is later silenced. */
  launch(key: string, task: JsonObject, ctx: RunContext, events: RunnerEvents): void {
    const run: Running = { killRequested: false, silenced: false };
    this.#runs.set(key, run);
    const guard =
      <A extends unknown[]>(fn: (...a: A) => void) =>
      (...a: A): void => {
        if (!run.silenced) fn(...a);
      };
    const e: RunnerEvents = {
      starting: guard(events.starting),
      running: guard(events.running),
      launchFailed: guard(events.launchFailed),
      killedBeforeStart: guard(events.killedBeforeStart),
      exited: guard(events.exited),
    };
    this.#run(run, task, ctx, e).catch((err: unknown) => {
      e.launchFailed(`Failed to launch container: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  async #run(run: Running, task: JsonObject, ctx: RunContext, e: RunnerEvents): Promise<void> {
    const spec = dockerRunSpec(task, ctx);
    if (typeof spec === 'string') return e.launchFailed(spec);
    try {
      await this.docker.getImage(spec.Image!).inspect();
    } catch {
      return e.launchFailed(
        `Failed to launch container: Failed to run 'docker pull ${spec.Image}': no registry is reachable from this agent`,
      );
    }
    const fetchError = await fetchUris(isObject(task.command) ? task.command : {}, ctx.sandbox);
    if (fetchError !== undefined) return e.launchFailed(fetchError);
    // The fetcher runs as the task user, so what it wrote belongs to that user.
    ownSandbox(ctx.sandbox, ctx.owner);
    if (ctx.requireTls) {
      const missing = missingTlsSettings(spec.Env ?? [], spec.HostConfig?.Binds ?? []);
      if (missing !== undefined)
        return e.launchFailed(
          `Failed to launch container: this cluster speaks TLS only (libprocess SSL, no downgrade), so the driver could never register: ${missing}`,
        );
    }
    if (run.killRequested) return e.killedBeforeStart(false);
    e.starting();
    const container = await this.docker.createContainer(spec);
    run.container = container;
    if (run.silenced) {
      await container.remove({ force: true }).catch(() => undefined);
      return;
    }
    const stdout = createWriteStream(join(ctx.sandbox, 'stdout'), { flags: 'a' });
    const stderr = createWriteStream(join(ctx.sandbox, 'stderr'), { flags: 'a' });
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    container.modem.demuxStream(stream, stdout, stderr);
    const streamEnded = once(stream, 'end').catch(() => undefined);
    if (run.killRequested) {
      await container.remove({ force: true }).catch(() => undefined);
      await closeAll(stdout, stderr);
      return e.killedBeforeStart(true);
    }
    await container.start();
    if (run.killRequested) await container.stop({ t: 0 }).catch(() => undefined);
    e.running(
      await container
        .inspect()
        .then((i) => [i])
        .catch(() => []),
    );
    const result = (await container.wait()) as { StatusCode: number };
    await Promise.race([streamEnded, new Promise((r) => setTimeout(r, 2000))]);
    await closeAll(stdout, stderr);
    e.exited(result.StatusCode);
  }

  /** Asks the container to stop (SIGTERM, then SIGKILL after the grace period). */
  async kill(key: string, graceSeconds: number): Promise<void> {
    const run = this.#runs.get(key);
    if (!run) return;
    run.killRequested = true;
    await run.container?.stop({ t: Math.max(0, Math.round(graceSeconds)) }).catch(() => undefined);
  }

  /** Kills the container at once (SIGKILL): the task fails with exit status 137; false when none exists yet. */
  async killNow(key: string): Promise<boolean> {
    const container = this.#runs.get(key)?.container;
    if (!container) return false;
    await container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
    return true;
  }

  /** Removes a task's container without reporting anything more (agent lost, framework removed). */
  async destroy(key: string): Promise<void> {
    const run = this.#runs.get(key);
    if (!run) return;
    run.silenced = true;
    run.killRequested = true;
    await run.container?.remove({ force: true }).catch(() => undefined);
  }

  /** Removes every container this runner created. */
  async removeAll(): Promise<void> {
    const runs = [...this.#runs.values()];
    for (const run of runs) run.silenced = true;
    await Promise.all(runs.map((run) => run.container?.remove({ force: true }).catch(() => undefined)));
    this.#runs.clear();
  }
}

async function closeAll(...streams: WriteStream[]): Promise<void> {
  await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(resolve))));
}
