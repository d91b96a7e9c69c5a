/*
 * Over 300 lines on purpose: the Docker adapter is one closure over the engine client and the
 * resource ledger that implements the Backend port's methods; each step's mechanics already
 * live in their own files (container-ops, copy-outputs, pull-image, host-inputs, wait-container, …).
 */
import Docker from 'dockerode';
import type { DriverRef } from '../../api/status.js';
import {
  LABELS,
  type Backend,
  type CallIO,
  type Collected,
  type ConnectResult,
  type JobRun,
  type OwnedDriver,
  type Reservation,
  type RunExit,
} from '../ports.js';
import { driverMemoryWithOverheadMiB } from '../spark-submit.js';
import { INSTANCE_PATTERN, MANAGED_BY, buildContainerSpec, containerName, reservationKey } from './build-container-spec.js';
import { followLogs, readWholeLog } from './container-logs.js';
import { inspectCreated, inspectOrUndefined, removeContainer } from './container-ops.js';
import { copyOutputs } from './copy-outputs.js';
import { toRunExit } from './driver-exit.js';
import {
  ContainerStartError,
  DockerCallError,
  DockerOptionsError,
  EngineTooOldError,
  EngineUnavailableError,
  InsufficientResourcesError,
  callWithSignal,
  engineMessageOf,
  isAbortError,
  isConnectionError,
  statusCodeOf,
} from './errors.js';
import { checkNativeLibrary } from './check-image-file.js';
import { resolveHostInputs } from './host-inputs.js';
import { checkPolicy } from '../../policy/check-policy.js';
import { DEFAULT_POLICY, type Policy } from '../../policy/policy.js';
import { ensureImage } from './pull-image.js';
import { redactSecrets, secretValues, streamRedactor } from '../../secrets/redact.js';
import { ResourceLedger, formatResources, type Resources } from './resource-ledger.js';
import { LOG_DRAIN_MS, settleWithin, waitUntilStopped } from './wait-container.js';

/** How long a successful connect (ping, version) stands for the next job's connect. */
const CONNECT_FRESH_MS = 5_000;

/** The oldest Engine API the backend uses (Docker 20.10). */
export const MIN_API_VERSION = '1.41';

/** A pino-compatible logger: structured object first, then a message. */
export interface DockerBackendLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of the Docker backend; everything has a default suited to one controller on this host. */
export interface DockerBackendOptions {
  /** The engine's unix socket; default: DOCKER_HOST when it is unix://…, else /var/run/docker.sock. */
  readonly socketPath?: string;
  /** A short id of this controller, in container names and labels (default 'default'). */
  readonly instance?: string;
  /** CPU and memory the ledger hands out; default: the engine's NCPU and MemTotal. */
  readonly capacity?: Resources;
  /** Largest output file copied out of a driver (default 64 MiB). */
  readonly maxOutputBytes?: number;
  /** Largest driver log kept by collect; its end is kept (default 32 MiB). */
  readonly maxLogBytes?: number;
  /** Seconds between SIGTERM and SIGKILL when releasing a running driver (default 5). */
  readonly stopTimeoutSeconds?: number;
  /** Where `mesos.secretRef.env` is looked up (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** A routable IPv4 address of this host that client-mode Mesos drivers advertise (controller flag --advertise-address). */
  readonly advertiseAddress?: string;
  /** The operator's policy, checked again (links resolved) right before each launch (default: grants nothing). */
  readonly policy?: Policy;
  readonly logger?: DockerBackendLogger;
}

/** The Docker backend, plus a read-only view of its ledger (for metrics, `describe` and tests). */
export interface DockerBackend extends Backend {
  readonly kind: 'docker';
  readonly instance: string;
  readonly socketPath: string;
  /** Capacity, what is held and free, and which attempts hold or wait (keys `<job>/<attempt>`). */
  resources(): { capacity: Resources; used: Resources; free: Resources; held: string[]; waiting: string[] };
}

const silent: DockerBackendLogger = { info: () => undefined, warn: () => undefined };

function defaultSocket(env: NodeJS.ProcessEnv): string {
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

function apiAtLeast(version: string, min: string): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  const [c = 0, d = 0] = min.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

// Start failures that no retry can fix: the image cannot run $sparkHome/bin/spark-submit. Only the
// runtime's exec errors say so; the engine's own errors (say, its network store just after a restart)
// may also read "no such file or directory" and are worth a retry.
const UNRUNNABLE = /executable file not found|no such file or directory|permission denied|exec format error/i;
const FROM_EXEC = /starting container process|exec:|OCI runtime/i;

/** Builds the Docker backend: one per controller, talking to the engine on `socketPath`. */
export function createDockerBackend(options: DockerBackendOptions = {}): DockerBackend {
  const env = options.env ?? process.env;
  const policy = options.policy ?? DEFAULT_POLICY;
  const socketPath = options.socketPath ?? defaultSocket(env);
  const instance = options.instance ?? 'default';
  if (!INSTANCE_PATTERN.test(instance)) {
    throw new DockerOptionsError(
      `instance ${JSON.stringify(instance)} must be 1-32 lower-case letters, digits or '-', starting and ending with a letter or digit`,
    );
  }
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024 * 1024;
  const maxLogBytes = options.maxLogBytes ?? 32 * 1024 * 1024;
  const stopTimeout = options.stopTimeoutSeconds ?? 5;
  const log = options.logger ?? silent;
  const docker = new Docker({ socketPath });
  const ledger = new ResourceLedger(options.capacity);
  let capacityKnown: Promise<void> | undefined = options.capacity ? Promise.resolve() : undefined;

  const unavailable = (e: unknown, what: string) =>
    new EngineUnavailableError(
      `cannot reach the Docker engine at unix://${socketPath} while ${what} (${(e as { code?: string }).code ?? engineMessageOf(e)}): start dockerd (for example \`bash scripts/test-env.sh\` or \`systemctl start docker\`)`,
      { cause: e },
    );

  /** Rethrows aborts as they are, engine outages as EngineUnavailable, the rest as a DockerCallError. */
  const wrap = (e: unknown, what: string, signal: AbortSignal): unknown => {
    if (isAbortError(e, signal)) return signal.aborted ? (signal.reason as unknown) : e;
    if (isConnectionError(e)) {
      forgetConnect(e);
      return unavailable(e, what);
    }
    if (e instanceof Error && 'errorClass' in e) return e;
    return new DockerCallError(`Docker engine call failed while ${what}: ${engineMessageOf(e)}`, { cause: e });
  };

  const learnCapacity = (signal: AbortSignal): Promise<void> => {
    capacityKnown ??= callWithSignal<{ NCPU: number; MemTotal: number }>(docker, docker.info, signal).then(
      (info: { NCPU: number; MemTotal: number }) =>
        ledger.setCapacity({ cpus: info.NCPU, memMiB: Math.floor(info.MemTotal / (1024 * 1024)) }),
      (e: unknown) => {
        capacityKnown = undefined;
        throw e;
      },
    );
    return capacityKnown;
  };

  const containerOf = (run: JobRun, ref: DriverRef | undefined) =>
    docker.getContainer(ref?.containerId ?? ref?.containerName ?? containerName(instance, run.name, run.attempt));

  const starting = new Map<string, Promise<DriverRef>>();
  let lastConnect: { at: number; result: ConnectResult } | undefined;
  /** Any call that finds the engine unreachable forgets the last connect, so the next job's connect asks again. */
  const forgetConnect = (e: unknown): void => {
    if (isConnectionError(e)) lastConnect = undefined;
  };

  /** The secrets to mask in a run's log, the secret file read where the driver's value came from (its resolved path). */
  const secretsOf = async (run: JobRun): Promise<string[]> => secretValues((await checkPolicy(run.spec, policy)).spec, env);

  /** Creates a container; its id, or undefined when one of that name exists already (409). */
  const createOrConflict = async (spec: Docker.ContainerCreateOptions, signal: AbortSignal): Promise<string | undefined> => {
    try {
      return (await docker.createContainer({ ...spec, abortSignal: signal })).id;
    } catch (e) {
      if (statusCodeOf(e) !== 409) throw e;
      return undefined;
    }
  };

  /** Creates (unless it exists) and starts the container of one attempt; see `start`. */
  const startOnce = async (run: JobRun, io: CallIO): Promise<DriverRef> => {
    // Checked again here, not only by the controller: a link planted since then must not reach the engine.
    const inputs = await resolveHostInputs(run.spec, policy, env);
    const driver = options.advertiseAddress !== undefined ? { advertiseAddress: options.advertiseAddress } : {};
    const spec = buildContainerSpec({ ...run, spec: inputs.spec }, instance, inputs.secret, driver);
    const name = spec.name;
    try {
      // Create first: the usual case has no container yet, so the inspect is only needed on a conflict (409).
      await checkNativeLibrary(docker, run.spec, io.signal);
      let created = await createOrConflict(spec, io.signal);
      let info: Docker.ContainerInspectInfo | undefined;
      if (created === undefined) {
        info = await inspectCreated(docker, name, io.signal);
        if (info.Config.Labels[LABELS.specHash] !== run.specHash) {
          if (info.State.Running) {
            throw new ContainerStartError(
              `container ${name} still runs spec ${info.Config.Labels[LABELS.specHash]}, not ${run.specHash}: release that run first`,
              'retryable',
            );
          }
          await removeContainer(docker, info.Id, stopTimeout, io.signal);
          created = await createOrConflict(spec, io.signal);
          info = created === undefined ? await inspectCreated(docker, name, io.signal) : undefined;
        }
      }
      if (created !== undefined) log.info({ job: run.name, attempt: run.attempt, container: name }, 'Created driver container');
      const id = created ?? info!.Id;
      if (created !== undefined || info!.State.Status === 'created') {
        try {
          await docker.getContainer(id).start({ abortSignal: io.signal });
          log.info({ job: run.name, attempt: run.attempt, container: name }, 'Started driver container');
        } catch (e) {
          if (statusCodeOf(e) !== 304) throw e;
        }
      }
      return { backend: 'docker', containerId: id, containerName: name };
    } catch (e) {
      if (isAbortError(e, io.signal) || isConnectionError(e) || (e instanceof Error && 'errorClass' in e))
        throw wrap(e, `starting ${name}`, io.signal);
      const detail = engineMessageOf(e);
      const fix =
        UNRUNNABLE.test(detail) && FROM_EXEC.test(detail)
          ? `: check spec.image and spec.sparkHome (${run.spec.sparkHome}/bin/spark-submit must exist and be executable in ${run.spec.image})`
          : '';
      throw new ContainerStartError(`starting driver container ${name} failed: ${detail}${fix}`, fix ? 'terminal' : 'retryable', {
        cause: e,
      });
    }
  };

  const backend: DockerBackend = {
    kind: 'docker',
    instance,
    socketPath,

    resources() {
      return { capacity: ledger.capacity, used: ledger.used, free: ledger.free, ...ledger.snapshot() };
    },

    // The engine is the same for every run.
    async connect(_run: JobRun | undefined, io: CallIO): Promise<ConnectResult> {
      // A connect that succeeded moments ago stands: jobs started back to back need not ping the engine each.
      if (lastConnect && Date.now() - lastConnect.at < CONNECT_FRESH_MS) return lastConnect.result;
      let apiVersion: string;
      try {
        await callWithSignal(docker, docker.ping, io.signal);
        const v = await callWithSignal<Docker.DockerVersion>(docker, docker.version, io.signal);
        apiVersion = v.ApiVersion;
        await learnCapacity(io.signal);
      } catch (e) {
        if (isAbortError(e, io.signal)) throw e;
        throw unavailable(e, 'connecting');
      }
      if (!apiAtLeast(apiVersion, MIN_API_VERSION)) {
        throw new EngineTooOldError(
          `the Docker engine at unix://${socketPath} speaks API ${apiVersion}; sparkctl needs ${MIN_API_VERSION} or newer (Docker 20.10+): upgrade the engine`,
        );
      }
      const result: ConnectResult = { backend: 'docker', version: apiVersion };
      lastConnect = { at: Date.now(), result };
      return result;
    },

    async requestResources(run: JobRun, io: CallIO): Promise<Reservation> {
      const key = reservationKey(run);
      const demand: Resources = { cpus: run.spec.driver.cores, memMiB: driverMemoryWithOverheadMiB(run.spec) };
      try {
        await learnCapacity(io.signal);
        await ensureImage(docker, run.spec, io.signal);
      } catch (e) {
        throw wrap(e, `preparing image ${run.spec.image}`, io.signal);
      }
      await resolveHostInputs(run.spec, policy, env);
      if (!ledger.holds(key) && !ledger.fitsHost(demand)) {
        throw new InsufficientResourcesError(
          `job ${run.name} asks for ${formatResources(demand)} (spec.driver.cores, spec.driver.memory plus overhead) but this host has ${formatResources(ledger.capacity)} in all: lower spec.driver.cores or spec.driver.memory`,
        );
      }
      const reservation = await ledger.reserve(key, demand, io);
      log.info({ job: run.name, attempt: run.attempt, cpus: reservation.cpus, memMiB: reservation.memMiB }, 'Reserved driver resources');
      return reservation;
    },

    reclaim(reservation: Reservation): void {
      ledger.reclaim(reservation);
    },

    start(run: JobRun, _reservation: Reservation, io: CallIO): Promise<DriverRef> {
      const name = containerName(instance, run.name, run.attempt);
      const inflight = starting.get(name);
      if (inflight) return inflight;
      const p = startOnce(run, io).finally(() => starting.delete(name));
      starting.set(name, p);
      return p;
    },

    async wait(run: JobRun, ref: DriverRef, io: CallIO & { onLog?: (chunk: string) => void }): Promise<RunExit> {
      const c = containerOf(run, ref);
      const onLog = io.onLog;
      const redactor = streamRedactor(await secretsOf(run));
      const logs = onLog
        ? followLogs(
            c,
            (t) => {
              const safe = redactor.push(t);
              if (safe) onLog(safe);
            },
            io.signal,
          )
        : Promise.resolve();
      try {
        await waitUntilStopped(c, io.signal);
        await settleWithin(logs, LOG_DRAIN_MS);
        const rest = redactor.end();
        if (rest && onLog) onLog(rest);
        const info = await c.inspect({ abortSignal: io.signal });
        return toRunExit(info.State, driverMemoryWithOverheadMiB(run.spec));
      } catch (e) {
        if (statusCodeOf(e) === 404 && !io.signal.aborted) {
          return {
            exitCode: null,
            outcome: 'lost',
            message: `the driver container ${ref.containerName ?? ref.containerId} is gone`,
            finishedAt: new Date().toISOString(),
          };
        }
        throw wrap(e, `waiting for ${ref.containerName ?? ref.containerId}`, io.signal);
      }
    },

    async collect(run: JobRun, ref: DriverRef, destDir: string, io: CallIO): Promise<Collected> {
      const c = containerOf(run, ref);
      try {
        const info = await inspectOrUndefined(
          docker,
          ref.containerId ?? ref.containerName ?? containerName(instance, run.name, run.attempt),
          io.signal,
        );
        if (!info) {
          const error = `the driver container ${ref.containerName ?? ref.containerId} no longer exists`;
          return { exitCode: null, log: '', outputs: run.spec.outputs.map((o) => ({ name: o.name, path: o.path, error })) };
        }
        const exitCode = info.State.Running ? null : info.State.ExitCode;
        const text = redactSecrets(await readWholeLog(c, maxLogBytes, io.signal), await secretsOf(run));
        const outputs = await copyOutputs(c, run.spec.outputs, destDir, { maxBytes: maxOutputBytes, signal: io.signal });
        return { exitCode, log: text, outputs };
      } catch (e) {
        throw wrap(e, `collecting from ${ref.containerName ?? ref.containerId}`, io.signal);
      }
    },

    async release(run: JobRun, ref: DriverRef | undefined, reservation: Reservation | undefined, io: CallIO): Promise<void> {
      const targets = new Set([
        ref?.containerId ?? containerName(instance, run.name, run.attempt),
        containerName(instance, run.name, run.attempt),
      ]);
      try {
        for (const t of targets) {
          if (await removeContainer(docker, t, stopTimeout, io.signal)) {
            log.info({ job: run.name, attempt: run.attempt, container: t }, 'Removed driver container');
            // The container removed by id carried this attempt's name: nothing else can hold it now.
            if (t === ref?.containerId && ref.containerName === containerName(instance, run.name, run.attempt)) break;
          }
        }
      } catch (e) {
        throw wrap(e, `removing the driver of ${run.name} attempt ${run.attempt}`, io.signal);
      }
      ledger.release(reservation?.key ?? reservationKey(run));
    },

    async listDrivers(io: CallIO): Promise<OwnedDriver[]> {
      try {
        const list = await docker.listContainers({
          all: true,
          filters: { label: [`${LABELS.managedBy}=${MANAGED_BY}`, `${LABELS.instance}=${instance}`] },
          abortSignal: io.signal,
        });
        return list.map((c) => ({
          ref: { backend: 'docker' as const, containerId: c.Id, containerName: (c.Names[0] ?? '').replace(/^\//, '') },
          job: c.Labels[LABELS.job] ?? '',
          specHash: c.Labels[LABELS.specHash] ?? '',
          attempt: Number(c.Labels[LABELS.attempt] ?? 0),
          running: c.State === 'running',
        }));
      } catch (e) {
        throw wrap(e, 'listing driver containers', io.signal);
      }
    },

    async close(): Promise<void> {
      const agent = (docker.modem as { agent?: { destroy?: () => void } }).agent;
      agent?.destroy?.();
    },
  };
  return backend;
}
