/*
 * Over 300 lines on purpose: one Mesos framework's session (subscribe, offers, task updates,
 * reconciliation, kills) shares one connection's state; protocol pieces live beside it
 * (subscription.ts, offer-book.ts, task-tracker.ts, build-task-info.ts).
 */
import { hostname } from 'node:os';
import { classOf, messageOf } from '../../errors.js';
import { LABELS } from '../ports.js';
import { AbandonedTasks } from './abandoned-tasks.js';
import type { Backoff } from '../../backoff.js';
import { sleep } from '../../backoff.js';
import { parseTaskId } from './build-task-info.js';
import { MesosCallError } from './errors.js';
import type { FrameworkStore, StoredConnection, StoredFramework, StoredTask } from './framework-store.js';
import type { MesosLogger } from './logger.js';
import type { OfferWant } from './match-offer.js';
import type { FrameworkInfo, MesosCall, MesosEvent, Offer, TaskStatus } from './mesos-types.js';
import { TERMINAL_TASK_STATES } from './mesos-types.js';
import type { HeldOffer } from './offer-book.js';
import { OfferBook } from './offer-book.js';
import type { MasterCandidates } from './parse-master-url.js';
import { basicAuthorization, loadTls } from './resolve-credentials.js';
import { SchedulerHttp } from './scheduler-client.js';
import type { SubscribedInfo } from './subscription.js';
import { Subscription } from './subscription.js';
import { TaskTracker } from './task-tracker.js';

/** A task reported by reconciliation that carries sparkctl's id format but nobody here knows. */
export interface UnknownTask {
  readonly master: string;
  readonly frameworkId: string;
  readonly taskId: string;
  readonly agentId?: string;
  readonly state: string;
  /** The job, attempt and short spec hash the task id names. */
  readonly job: string;
  readonly attempt: number;
  readonly shortHash: string;
}

/** A task the caller (the controller's journal) knows, to reconcile explicitly. */
export interface KnownTask {
  readonly master: string;
  readonly taskId: string;
  readonly agentId?: string;
}

/** Settings of one framework subscription (one per master URL, principal and credential fingerprint). */
export interface FrameworkSessionOptions {
  readonly key: string;
  /** The secret resolved for this session's key (its fingerprint is part of the key); never logged. */
  readonly secret: string | undefined;
  readonly candidates: MasterCandidates;
  readonly connection: StoredConnection;
  readonly store: FrameworkStore;
  readonly instance: string;
  readonly logger: MesosLogger;
  readonly user: string;
  readonly frameworkName: string;
  readonly failoverTimeoutSeconds: number;
  /** Filter for declined offers while drivers wait (short, to look again soon). */
  readonly declineRefuseSeconds: number;
  /** Filter for declined offers when nothing waits. */
  readonly idleRefuseSeconds: number;
  readonly heartbeatGraceFactor?: number;
  readonly heartbeatMarginMs?: number;
  readonly backoff?: Backoff;
  readonly callTimeoutMs?: number;
  readonly knownTasks?: () => readonly KnownTask[];
  readonly onUnknownTask?: (task: UnknownTask) => void;
}

const CAPABILITIES = ['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'];

/** One framework on one master: the subscription, its offers, its tasks and the calls it makes. */
export class FrameworkSession {
  readonly http: SchedulerHttp;
  readonly subscription: Subscription;
  readonly offers = new OfferBook();
  readonly tasks = new TaskTracker();
  /** Tasks given up on while unreachable: killed when seen alive again. */
  readonly abandoned: AbandonedTasks;
  readonly master: string;
  /** The resolved secret (passed to the driver as SPARK_MESOS_SECRET); never logged. */
  readonly secret: string | undefined;
  private readonly agentOrigins = new Map<string, string>();
  private readonly suppressed = new Set<string>();
  /** Roles with a REVIVE in flight, and whether another was asked for meanwhile. */
  private readonly reviving = new Map<string, boolean>();
  private readonly reported = new Set<string>();
  private subscribedRoles: readonly string[] = [];
  readonly log: MesosLogger;

  constructor(private readonly options: FrameworkSessionOptions) {
    this.master = options.candidates.url;
    this.log = options.logger;
    this.abandoned = new AbandonedTasks({
      store: options.store,
      key: options.key,
      master: this.master,
      log: options.logger,
      kill: (taskId, agentId) =>
        this.call({ type: 'KILL', kill: { task_id: { value: taskId }, ...(agentId ? { agent_id: { value: agentId } } : {}) } }),
      reconcile: (taskId, agentId) => this.reconcile([{ taskId, ...(agentId ? { agentId } : {}) }]),
    });
    const c = options.connection;
    this.secret = options.secret;
    const authorization = c.principal !== undefined && this.secret !== undefined ? basicAuthorization(c.principal, this.secret) : undefined;
    this.http = new SchedulerHttp({
      ...(authorization ? { authorization } : {}),
      ...(c.certsDir ? { tls: loadTls(c.certsDir) } : {}),
      ...(options.callTimeoutMs ? { callTimeoutMs: options.callTimeoutMs } : {}),
    });
    this.subscription = new Subscription({
      label: this.master,
      endpoints: options.candidates.endpoints,
      http: this.http,
      subscribeCall: () => this.subscribeCall(),
      ...(options.heartbeatGraceFactor !== undefined ? { heartbeatGraceFactor: options.heartbeatGraceFactor } : {}),
      ...(options.heartbeatMarginMs !== undefined ? { heartbeatMarginMs: options.heartbeatMarginMs } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      logger: options.logger,
      onSubscribed: (info) => this.onSubscribed(info),
      onEvent: (event, info) => this.onEvent(event, info),
      onDisconnected: () => this.offers.clearHeld(),
      onRefused: (message) => this.onRefused(message),
    });
  }

  /** The stored framework record (id, roles, tasks). */
  get stored(): StoredFramework {
    return (
      this.options.store.get(this.options.key) ??
      this.options.store.update(this.options.key, () => ({
        master: this.master,
        connection: this.options.connection,
        failoverTimeout: this.options.failoverTimeoutSeconds,
        roles: [],
        tasks: {},
        updatedAt: '',
      }))
    );
  }

  /** Records a task in the state dir before its ACCEPT goes out, so a restart reconciles it. */
  addTask(task: StoredTask): void {
    void this.stored;
    this.options.store.addTask(this.options.key, task);
  }

  /** Forgets a task that ended and was released. */
  removeTask(taskId: string): void {
    this.options.store.removeTask(this.options.key, taskId);
  }

  /** Subscribes (or reuses the live subscription) and resolves once SUBSCRIBED; tells onProgress why it is still waiting. */
  async connect(signal?: AbortSignal, onProgress?: (message: string) => void): Promise<SubscribedInfo> {
    this.subscription.start();
    if (this.subscription.current || !onProgress) return this.subscription.ready(signal);
    const note = (problem: string | undefined): void =>
      onProgress(`Subscribing to the Mesos master ${this.master}${problem ? `: ${problem}` : ''}`);
    note(this.subscription.lastProblem);
    const off = this.subscription.onProblem(note);
    try {
      return await this.subscription.ready(signal);
    } finally {
      off();
    }
  }

  /** Adds a role to the framework (UPDATE_FRAMEWORK when subscribed; the next SUBSCRIBE carries it anyway). */
  async ensureRole(role: string, signal?: AbortSignal): Promise<void> {
    const fw = this.stored;
    if (fw.roles.includes(role)) return;
    this.options.store.update(this.options.key, (cur) => ({ ...(cur ?? fw), roles: [...(cur ?? fw).roles, role] }));
    this.suppressed.add(role);
    const info = this.subscription.current;
    if (!info) return;
    await this.subscription.call(
      {
        type: 'UPDATE_FRAMEWORK',
        framework_id: { value: info.frameworkId },
        update_framework: { framework_info: this.frameworkInfo(info.frameworkId), suppressed_roles: this.suppressedRoles() },
      },
      signal,
    );
    this.subscribedRoles = [...this.stored.roles];
  }

  /** Waits for an offer fitting `want` (REVIVE its role now, SUPPRESS when nothing waits any more). */
  async requestOffer(key: string, want: OfferWant, signal: AbortSignal, onProgress?: (message: string) => void): Promise<HeldOffer> {
    const info = await this.connect(signal, onProgress);
    const pending = this.offers.wait(key, want, info.generation, signal, onProgress);
    this.revive(want.role);
    try {
      return await pending;
    } finally {
      this.updateDemand();
    }
  }

  /** Sends a call, retrying (after re-subscription) while it fails for a transient reason. */
  async call(body: Omit<MesosCall, 'framework_id'>, signal?: AbortSignal, attempts = 3): Promise<void> {
    for (let i = 1; ; i++) {
      const info = await this.subscription.ready(signal);
      try {
        await this.subscription.call({ ...body, framework_id: { value: info.frameworkId } } as MesosCall, signal);
        return;
      } catch (e) {
        if (
          i >= attempts ||
          classOf(e) === 'terminal' ||
          signal?.aborted ||
          (e instanceof MesosCallError && e.status === 400 && !/stream id/i.test(e.message))
        )
          throw e;
        this.log.warn({ master: this.master, call: body.type, err: messageOf(e) }, 'Retrying a scheduler call');
        await sleep(200 * i, signal);
      }
    }
  }

  /** Sends RECONCILE for the given tasks (explicit) or for all (implicit, empty list). */
  reconcile(tasks: ReadonlyArray<{ taskId: string; agentId?: string }>, signal?: AbortSignal): Promise<void> {
    return this.call(
      {
        type: 'RECONCILE',
        reconcile: {
          tasks: tasks.map((t) => ({ task_id: { value: t.taskId }, ...(t.agentId ? { agent_id: { value: t.agentId } } : {}) })),
        },
      },
      signal,
    );
  }

  /** The agent's origin (for /files), from its offers or the master's /state. */
  async agentOrigin(agentId: string, signal?: AbortSignal): Promise<string> {
    const cached = this.agentOrigins.get(agentId);
    if (cached) return cached;
    const info = await this.subscription.ready(signal);
    const state = (await this.http.getJson(this.http.origin(info.leader), '/state', signal)) as {
      slaves?: Array<{ id: string; hostname?: string; port?: number; pid?: string }>;
    };
    for (const s of state.slaves ?? []) {
      const m = /@([^:]+):([0-9]+)$/.exec(s.pid ?? '');
      const host = m?.[1] ?? s.hostname;
      const port = m ? Number(m[2]) : (s.port ?? 5051);
      if (host) this.agentOrigins.set(s.id, this.http.origin({ host, port }));
    }
    const found = this.agentOrigins.get(agentId);
    if (!found) throw new MesosCallError(`agent ${agentId} is not in the /state of ${this.master}`, 404);
    return found;
  }

  /** Closes the stream and connections; the framework stays registered for a later failover. */
  async close(): Promise<void> {
    await this.subscription.close();
    await this.http.close();
  }

  private suppressedRoles(): string[] {
    const waiting = this.offers.waitingRoles();
    return this.stored.roles.filter((r) => !waiting.has(r));
  }

  private frameworkInfo(frameworkId: string | undefined): FrameworkInfo {
    const fw = this.stored;
    const c = this.options.connection;
    return {
      ...(frameworkId ? { id: { value: frameworkId } } : {}),
      user: this.options.user,
      name: this.options.frameworkName,
      roles: fw.roles.length > 0 ? [...fw.roles] : ['*'],
      capabilities: CAPABILITIES.map((type) => ({ type })),
      failover_timeout: fw.failoverTimeout,
      checkpoint: true,
      ...(c.principal !== undefined ? { principal: c.principal } : {}),
      hostname: hostname(),
      labels: { labels: [{ key: LABELS.instance, value: this.options.instance }] },
    };
  }

  private subscribeCall(): MesosCall {
    const id = this.stored.frameworkId;
    this.subscribedRoles = [...this.stored.roles];
    const suppressed = this.suppressedRoles();
    this.suppressed.clear();
    for (const r of suppressed) this.suppressed.add(r);
    return {
      ...(id ? { framework_id: { value: id } } : {}),
      type: 'SUBSCRIBE',
      subscribe: { framework_info: this.frameworkInfo(id), suppressed_roles: suppressed },
    };
  }

  private onRefused(message: string): 'resubscribe' | 'stop' {
    if (!/has been removed/i.test(message) || this.stored.frameworkId === undefined) return 'stop';
    this.log.warn({ master: this.master, frameworkId: this.stored.frameworkId }, 'The master removed the framework; registering a new one');
    this.options.store.update(this.options.key, (cur) => ({ ...(cur ?? this.stored), frameworkId: undefined, tasks: {}, abandoned: {} }));
    return 'resubscribe';
  }

  private onSubscribed(info: SubscribedInfo): void {
    const fw = this.stored;
    if (fw.frameworkId !== info.frameworkId) {
      if (fw.frameworkId)
        this.log.warn(
          { master: this.master, stored: fw.frameworkId, got: info.frameworkId },
          'The master assigned a different framework id',
        );
      this.options.store.update(this.options.key, (cur) => ({ ...(cur ?? fw), frameworkId: info.frameworkId }));
    }
    this.offers.clearHeld();
    void this.afterSubscribe().catch((e: unknown) =>
      this.log.warn({ master: this.master, err: messageOf(e) }, 'Reconciliation after subscribing failed'),
    );
  }

  /**
   * Catches up on roles added while subscribing, revives roles that wait, then reconciles: explicitly the non-terminal tasks we know, then
   * implicitly.
   */
  private async afterSubscribe(): Promise<void> {
    const roles = this.stored.roles;
    if (roles.length !== this.subscribedRoles.length || roles.some((r) => !this.subscribedRoles.includes(r))) {
      const info = await this.subscription.ready();
      await this.call({
        type: 'UPDATE_FRAMEWORK',
        update_framework: { framework_info: this.frameworkInfo(info.frameworkId), suppressed_roles: this.suppressedRoles() },
      });
      this.subscribedRoles = [...roles];
    }
    for (const role of this.offers.waitingRoles()) this.revive(role);
    const known = new Map<string, string | undefined>();
    for (const t of [...Object.values(this.stored.tasks), ...this.abandoned.list()]) known.set(t.taskId, t.agentId);
    for (const t of this.options.knownTasks?.() ?? []) if (t.master === this.master && !known.has(t.taskId)) known.set(t.taskId, t.agentId);
    const explicit = [...known]
      .filter(([id]) => !TERMINAL_TASK_STATES.has(this.tasks.get(id)?.state ?? ''))
      .map(([taskId, agentId]) => ({ taskId, ...(agentId ? { agentId } : {}) }));
    if (explicit.length > 0) await this.reconcile(explicit);
    await this.reconcile([]);
  }

  /** REVIVEs a role (clears its filters: offers come at once), at most one call in flight; a request meanwhile sends one more after it. */
  private revive(role: string): void {
    this.suppressed.delete(role);
    if (this.reviving.has(role)) {
      this.reviving.set(role, true);
      return;
    }
    this.reviving.set(role, false);
    void this.call({ type: 'REVIVE', revive: { roles: [role] } })
      .catch((e: unknown) => this.log.warn({ master: this.master, err: messageOf(e) }, 'REVIVE failed'))
      .finally(() => {
        const again = this.reviving.get(role) === true;
        this.reviving.delete(role);
        if (again && this.offers.waitingRoles().has(role)) this.revive(role);
      });
  }

  private updateDemand(): void {
    const waiting = this.offers.waitingRoles();
    const idle = this.stored.roles.filter((r) => !waiting.has(r) && !this.suppressed.has(r));
    if (idle.length === 0 || !this.subscription.current) return;
    for (const r of idle) this.suppressed.add(r);
    void this.call({ type: 'SUPPRESS', suppress: { roles: idle } }).catch((e: unknown) =>
      this.log.warn({ master: this.master, err: messageOf(e) }, 'SUPPRESS failed'),
    );
  }

  private onEvent(event: MesosEvent, info: SubscribedInfo): void {
    switch (event.type) {
      case 'OFFERS':
        return this.onOffers(event.offers?.offers ?? [], info);
      case 'RESCIND':
        if (event.rescind) this.offers.onRescind(event.rescind.offer_id.value);
        return;
      case 'UPDATE':
        if (event.update) this.onUpdate(event.update.status, info);
        return;
      case 'FAILURE':
        this.log.warn(
          {
            master: this.master,
            agentId: event.failure?.agent_id?.value,
            executorId: event.failure?.executor_id?.value,
            status: event.failure?.status,
          },
          'Received a FAILURE event',
        );
        return;
      default:
        return;
    }
  }

  private onOffers(offers: readonly Offer[], info: SubscribedInfo): void {
    for (const o of offers) {
      const host = o.url?.address.ip ?? o.url?.address.hostname ?? o.hostname;
      this.agentOrigins.set(o.agent_id.value, this.http.origin({ host, port: o.url?.address.port ?? 5051 }));
    }
    const decision = this.offers.onOffers(offers, info.generation);
    if (decision.declined.length > 0) {
      const refuse = this.offers.waitingRoles().size > 0 ? this.options.declineRefuseSeconds : this.options.idleRefuseSeconds;
      void this.call(
        {
          type: 'DECLINE',
          decline: { offer_ids: decision.declined.map((o) => ({ value: o.id.value })), filters: { refuse_seconds: refuse } },
        },
        undefined,
        1,
      ).catch((e: unknown) => this.log.warn({ master: this.master, err: messageOf(e) }, 'DECLINE failed'));
    }
    this.updateDemand();
  }

  private onUpdate(status: TaskStatus, info: SubscribedInfo): void {
    const taskId = status.task_id.value;
    const before = this.tasks.get(taskId)?.state;
    this.tasks.record(status);
    // A task of ours ended: its resources are free now, so drivers still waiting get them without waiting for the next allocation.
    if (before !== undefined && !TERMINAL_TASK_STATES.has(before) && TERMINAL_TASK_STATES.has(status.state))
      for (const role of this.offers.waitingRoles()) this.revive(role);
    this.log.debug(
      { master: this.master, taskId, state: status.state, reason: status.reason, source: status.source },
      'Received a task status',
    );
    if (status.uuid !== undefined && status.agent_id) {
      void this.call(
        { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: status.agent_id.value }, task_id: { value: taskId }, uuid: status.uuid } },
        undefined,
        1,
      ).catch((e: unknown) =>
        this.log.warn({ master: this.master, taskId, err: messageOf(e) }, 'ACKNOWLEDGE failed; the agent will resend the update'),
      );
    }
    if (this.abandoned.onStatus(status)) return;
    const named = parseTaskId(taskId);
    if (
      status.reason === 'REASON_RECONCILIATION' &&
      named &&
      !TERMINAL_TASK_STATES.has(status.state) &&
      !this.isKnown(taskId) &&
      !this.reported.has(taskId)
    ) {
      this.reported.add(taskId);
      const unknown: UnknownTask = {
        master: this.master,
        frameworkId: info.frameworkId,
        taskId,
        state: status.state,
        ...named,
        ...(status.agent_id ? { agentId: status.agent_id.value } : {}),
      };
      this.log.warn({ ...unknown }, 'Found a sparkctl task nobody here knows');
      this.options.onUnknownTask?.(unknown);
    }
  }

  private isKnown(taskId: string): boolean {
    return taskId in this.stored.tasks || (this.options.knownTasks?.() ?? []).some((t) => t.taskId === taskId);
  }
}
