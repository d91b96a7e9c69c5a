import { envSecretValues } from '../../secrets/redact.js';
import type { SparkJobSpec } from '../../api/spark-job.js';
import type { DriverRef } from '../../api/status.js';
import type { Backend, CallIO, Collected, ConnectResult, JobRun, OwnedDriver, Reservation, RunExit } from '../ports.js';
import { driverMemoryWithOverheadMiB } from '../spark-submit.js';
import type { Backoff } from '../../backoff.js';
import { taskIdFor } from './build-task-info.js';
import { collectSandbox } from './collect-sandbox.js';
import { driverMasterUrl } from './driver-master.js';
import { DEFAULT_POLICY, type Policy } from '../../policy/policy.js';
import { followDriver } from './follow-driver.js';
import type { KnownTask, UnknownTask } from './framework-session.js';
import { FrameworkSession } from './framework-session.js';
import { FrameworkStore } from './framework-store.js';
import { FrameworkSessions } from './framework-sessions.js';
import { launchDriver } from './launch-driver.js';
import { listSessionDrivers } from './list-drivers.js';
import type { MesosLogger } from './logger.js';
import { silentLogger } from './logger.js';
import { parseConstraints } from './match-offer.js';
import { releaseDriver } from './release-driver.js';
import { controllerUserName, resolveTaskUser } from './task-user.js';

/** Settings of the Mesos backend; only stateDir and instance are required. */
export interface MesosBackendOptions {
  /** Folder for mesos-frameworks.json (framework ids, roles, launched tasks). */
  readonly stateDir: string;
  /** This controller's id, written as a task and framework label. */
  readonly instance: string;
  readonly logger?: MesosLogger;
  /** Reconnect after heartbeat_interval × this + heartbeatMarginMs without a byte (default 2). */
  readonly heartbeatGraceFactor?: number;
  readonly heartbeatMarginMs?: number;
  /** Reconnect backoff (default 500 ms doubling to 15 s, with jitter). */
  readonly backoff?: Backoff;
  /** Port of the masters when a spec names ZooKeeper hosts (default 5050): zk hosts are tried as masters. */
  readonly zkMasterPort?: number;
  /** FrameworkInfo.user and the user driver containers run as (`--mesos-user`; default: the controller's user). */
  readonly user?: string;
  /** Master and agents run on this one host (`--mesos-single-host`): drivers may dial a loopback master. */
  readonly singleHost?: boolean;
  readonly frameworkName?: string;
  /** FrameworkInfo.failover_timeout in seconds (default one week). */
  readonly failoverTimeoutSeconds?: number;
  /**
   * refuse_seconds for offers declined (or left over by an ACCEPT) while drivers wait (default 30) and when none waits
   * (default 120). A filter only hides what was refused: freed resources make a larger offer, and new work and our own
   * tasks ending REVIVE (clearing the filters), so a long filter costs no latency and saves the offer churn.
   */
  readonly declineRefuseSeconds?: number;
  readonly idleRefuseSeconds?: number;
  readonly callTimeoutMs?: number;
  /** Poll interval of the sandbox stdout while a driver runs (default 1000 ms). */
  readonly logPollMs?: number;
  /** Bound on waiting for a terminal state after KILL (default 30 s). */
  readonly killTimeoutMs?: number;
  /**
   * How long a driver task reported TASK_UNREACHABLE may take to come back before the job treats it
   * as lost and its restartPolicy decides (default 0: at once; the master has already waited
   * agent_ping_timeout × max_agent_ping_timeouts, 75 s by default). A replaced task that comes back later is killed.
   */
  readonly unreachableGraceMs?: number;
  /** Bound on waiting for a reconciliation answer (default 10 s). */
  readonly reconcileTimeoutMs?: number;
  /** Quiet period that ends the collection of implicit reconciliation answers (default 1 s). */
  readonly reconcileSettleMs?: number;
  /** Tasks the controller's journal knows, reconciled explicitly after every (re)subscribe. */
  readonly knownTasks?: () => readonly KnownTask[];
  /** Called for sparkctl-named tasks of this framework that nobody here knows. */
  readonly onUnknownTask?: (task: UnknownTask) => void;
  /** Where secretRef.env is read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The operator's policy (default: grants nothing). Checked, links resolved, before any session
   * reads a secret or contacts a master, and before each launch.
   */
  readonly policy?: Policy;
}

/**
 * The Mesos Backend; connect() without a run resumes the frameworks stored in the state dir.
 * close() closes streams only (no TEARDOWN), so a restart fails over to the same framework.
 */
export interface MesosBackend extends Backend {
  readonly kind: 'mesos';
}

/**
 * Creates the Mesos backend: sparkctl as a Mesos framework, one subscription per master URL,
 * principal and credential (framework-sessions.ts), opened lazily from the specs it sees (and from mesos-frameworks.json after a restart).
 */
export function createMesosBackend(options: MesosBackendOptions): MesosBackend {
  const store = new FrameworkStore(options.stateDir);
  const log = options.logger ?? silentLogger;
  const refuse = options.declineRefuseSeconds ?? 30;
  const reconcileTimeoutMs = options.reconcileTimeoutMs ?? 10_000;
  const taskUser = resolveTaskUser(options.user ?? controllerUserName());
  const singleHost = options.singleHost ?? false;
  const policy = options.policy ?? DEFAULT_POLICY;

  const sessions = new FrameworkSessions(options, store, { log, policy, taskUser: taskUser.name, refuseSeconds: refuse });
  const roleOf = (spec: SparkJobSpec): string => spec.mesos?.role ?? '*';

  return {
    kind: 'mesos',

    async connect(run: JobRun | undefined, io: CallIO): Promise<ConnectResult> {
      if (run) {
        const s = sessions.forSpec(await sessions.granted(run.spec));
        await s.ensureRole(roleOf(run.spec), io.signal);
        const info = await s.connect(io.signal, io.onProgress);
        return { backend: 'mesos', version: info.masterVersion, frameworkId: info.frameworkId };
      }
      // Without a spec: resume the stored frameworks; the first live one answers (a job's own master is subscribed by requestResources).
      const stored = await sessions.openStored();
      if (stored.length === 0) return { backend: 'mesos', version: 'unknown' };
      try {
        const info = await Promise.any(stored.map((s) => s.connect(io.signal, io.onProgress)));
        return { backend: 'mesos', version: info.masterVersion, frameworkId: info.frameworkId };
      } catch (e) {
        throw e instanceof AggregateError ? e.errors[0] : e;
      }
    },

    async requestResources(run: JobRun, io: CallIO): Promise<Reservation> {
      const s = sessions.forSpec(await sessions.granted(run.spec));
      const role = roleOf(run.spec);
      await s.ensureRole(role, io.signal);
      const info = await s.connect(io.signal, io.onProgress);
      // Refuse a driver master the task could not reach before holding any offer (checked again at launch: the leader may change).
      driverMasterUrl(run.spec.master, info.masterInfo, { singleHost });
      const want = {
        cpus: run.spec.driver.cores,
        memMiB: driverMemoryWithOverheadMiB(run.spec),
        role,
        constraints: parseConstraints(run.spec.mesos?.constraints),
      };
      const key = `${run.name}/${run.attempt}`;
      const held = await s.requestOffer(key, want, io.signal, io.onProgress);
      log.info(
        { job: run.name, attempt: run.attempt, offerId: held.offer.id.value, agent: held.offer.hostname },
        'Held a fitting Mesos offer',
      );
      return {
        key,
        cpus: want.cpus,
        memMiB: want.memMiB,
        offerId: held.offer.id.value,
        agentId: held.offer.agent_id.value,
        hostname: held.offer.hostname,
      };
    },

    reclaim(reservation: Reservation): void {
      log.debug(
        { key: reservation.key, offerId: reservation.offerId },
        'Offers do not survive a restart; the reservation will be requested again at launch',
      );
    },

    async start(run: JobRun, reservation: Reservation, io: CallIO): Promise<DriverRef> {
      // The task's volumes and credentials are the ones resolved and granted right now.
      const spec = await sessions.granted(run.spec);
      return launchDriver(sessions.forSpec(spec), { ...run, spec }, reservation, {
        instance: options.instance,
        signal: io.signal,
        firstStatusTimeoutMs: 30_000,
        reconcileTimeoutMs,
        refuseSeconds: refuse,
        user: taskUser,
        singleHost,
      });
    },

    async wait(run: JobRun, ref: DriverRef, io: CallIO & { onLog?: (chunk: string) => void }): Promise<RunExit> {
      return followDriver(await sessions.ofRunning(run.spec), ref.taskId ?? taskIdFor(run), ref.agentId, {
        signal: io.signal,
        ...(io.onLog ? { onLog: io.onLog } : {}),
        secrets: envSecretValues(run.spec),
        logPollMs: options.logPollMs ?? 1000,
        reconcileTimeoutMs,
        unreachableGraceMs: options.unreachableGraceMs ?? 0,
      });
    },

    async collect(run: JobRun, ref: DriverRef, destDir: string, io: CallIO): Promise<Collected> {
      return collectSandbox(await sessions.ofRunning(run.spec), run, ref.taskId, ref.agentId, destDir, io.signal);
    },

    async release(run: JobRun, ref: DriverRef | undefined, reservation: Reservation | undefined, io: CallIO): Promise<void> {
      let session: FrameworkSession;
      try {
        session = await sessions.ofRunning(run.spec);
      } catch (err) {
        // A job that never got a framework (its secret could not be read, or the policy refused it) holds nothing to release.
        if (!ref?.taskId && !reservation) return;
        throw err;
      }
      await releaseDriver(session, ref, reservation, {
        signal: io.signal,
        killTimeoutMs: options.killTimeoutMs ?? 30_000,
        refuseSeconds: refuse,
      });
    },

    async listDrivers(io: CallIO): Promise<OwnedDriver[]> {
      await sessions.openStored();
      const known = options.knownTasks?.() ?? [];
      const lists = await Promise.all(
        sessions.all().map((s) => listSessionDrivers(s, known, { signal: io.signal, settleMs: options.reconcileSettleMs ?? 1000 })),
      );
      return lists.flat();
    },

    async close(): Promise<void> {
      await sessions.close();
    },
  };
}
