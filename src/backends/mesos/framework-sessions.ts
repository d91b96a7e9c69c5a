import { isMesosMaster, type SparkJobSpec } from '../../api/spark-job.js';
import { messageOf } from '../../errors.js';
import { enforcePolicy } from '../../policy/check-policy.js';
import type { Policy } from '../../policy/policy.js';
import { loadHashKey, type HashKey } from '../../secrets/hash-key.js';
import type { MesosBackendOptions } from './create-mesos-backend.js';
import { MesosSpecError } from './errors.js';
import { FrameworkSession } from './framework-session.js';
import type { FrameworkStore, StoredConnection } from './framework-store.js';
import type { MesosLogger } from './logger.js';
import { parseMasterUrl } from './parse-master-url.js';
import { resolveSecret } from './resolve-credentials.js';
import { movableRecord, sessionKey } from './session-key.js';

/** What the backend resolved once and every session shares. */
export interface SessionDefaults {
  readonly log: MesosLogger;
  readonly policy: Policy;
  /** FrameworkInfo.user. */
  readonly taskUser: string;
  readonly refuseSeconds: number;
}

/**
 * The Mesos backend's framework sessions, one per master URL, principal and credential (see
 * sessionKey), opened lazily from the specs the backend sees and from mesos-frameworks.json after a
 * restart. Every lookup checks the spec's credentials against the operator's policy first.
 */
export class FrameworkSessions {
  private readonly sessions = new Map<string, FrameworkSession>();
  private hashKey?: HashKey;

  constructor(
    private readonly options: MesosBackendOptions,
    private readonly store: FrameworkStore,
    private readonly defaults: SessionDefaults,
  ) {}

  /** The spec checked against the policy now (links resolved: what was granted at the controller's check may have changed since). */
  granted(spec: SparkJobSpec): Promise<SparkJobSpec> {
    return enforcePolicy(spec, this.defaults.policy);
  }

  /** The session of a spec whose host paths are already resolved and granted (see `granted`). */
  forSpec(spec: SparkJobSpec): FrameworkSession {
    if (!isMesosMaster(spec.master))
      throw new MesosSpecError(`spec.master ${spec.master} is not a mesos:// master; the Mesos backend runs cluster-mode jobs only`);
    const m = spec.mesos;
    return this.open(spec.master, {
      ...(m?.principal !== undefined ? { principal: m.principal } : {}),
      ...(m?.secretRef ? { secretRef: m.secretRef } : {}),
      ...(m?.certsDir ? { certsDir: m.certsDir } : {}),
    });
  }

  /** The session of a running job: only its credentials are checked again (its volumes are in use already). */
  async ofRunning(spec: SparkJobSpec): Promise<FrameworkSession> {
    const mesos = spec.mesos ? await enforcePolicy({ mesos: spec.mesos }, this.defaults.policy) : undefined;
    return this.forSpec({ ...spec, ...(mesos ? { mesos: { ...spec.mesos!, ...mesos.mesos } } : {}) });
  }

  /** The stored frameworks whose credentials the policy still grants; the others are left alone (and said so). */
  async openStored(): Promise<FrameworkSession[]> {
    const out: FrameworkSession[] = [];
    for (const fw of Object.values(this.store.all())) {
      try {
        const granted = await enforcePolicy({ mesos: fw.connection }, this.defaults.policy);
        out.push(this.open(fw.master, { ...fw.connection, ...granted.mesos }));
      } catch (err) {
        this.defaults.log.warn(
          { master: fw.master, principal: fw.connection.principal, err: messageOf(err) },
          'Skipped a stored framework whose credentials the policy no longer grants',
        );
      }
    }
    return out;
  }

  /** Every session opened so far. */
  all(): FrameworkSession[] {
    return [...this.sessions.values()];
  }

  /** Closes every session's streams (no TEARDOWN: a restart fails over to the same frameworks). */
  async close(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
  }

  private open(master: string, connection: StoredConnection): FrameworkSession {
    const { options, store } = this;
    const log = this.defaults.log;
    // Each job's credential is resolved for itself: an unresolvable secretRef fails here, whatever session exists.
    const secret = connection.secretRef ? resolveSecret(connection.secretRef, options.env ?? process.env) : undefined;
    const key = sessionKey(master, connection, secret, (this.hashKey ??= loadHashKey(options.stateDir)));
    let s = this.sessions.get(key);
    if (!s) {
      if (!store.get(key)) {
        const from = movableRecord(store.all(), master, connection, (k) => this.sessions.has(k));
        if (from !== undefined) {
          store.move(from, key);
          log.info({ master, principal: connection.principal }, "Moved a stored framework to its credential's new fingerprint");
        }
      }
      s = new FrameworkSession({
        key,
        secret,
        candidates: parseMasterUrl(master, options.zkMasterPort !== undefined ? { zkMasterPort: options.zkMasterPort } : {}),
        connection,
        store,
        instance: options.instance,
        logger: log,
        user: this.defaults.taskUser,
        frameworkName: options.frameworkName ?? 'sparkctl',
        failoverTimeoutSeconds: options.failoverTimeoutSeconds ?? 604_800,
        declineRefuseSeconds: this.defaults.refuseSeconds,
        idleRefuseSeconds: options.idleRefuseSeconds ?? 120,
        ...pick(options, ['heartbeatGraceFactor', 'heartbeatMarginMs', 'backoff', 'callTimeoutMs', 'knownTasks', 'onUnknownTask']),
      });
      this.sessions.set(key, s);
    }
    return s;
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
