/*
 * Over 300 lines on purpose: the SUBSCRIBE stream's lifecycle (connect, heartbeat watchdog,
 * leader redirects, failover to the next master, reconnect with backoff) shares one state.
 */
import { classOf, messageOf } from '../../errors.js';
import { backoffDelay, sleep, type Backoff } from '../../backoff.js';
import { MesosCallError, MesosNotSubscribedError, MesosSubscriptionRefusedError, RecordIoError } from './errors.js';
import type { MesosLogger } from './logger.js';
import { silentLogger } from './logger.js';
import type { MasterInfo, MesosCall, MesosEvent } from './mesos-types.js';
import { isMesosEvent } from './mesos-types.js';
import type { MasterEndpoint } from './parse-master-url.js';
import { RecordIoDecoder } from './parse-recordio.js';
import type { SchedulerHttp, SubscribeOutcome } from './scheduler-client.js';

/** Reconnect backoff unless options.backoff says otherwise: 500 ms doubling to 15 s, half of it random. */
const RECONNECT_BACKOFF: Backoff = { initialMs: 500, maxMs: 15_000, jitter: 'equal' };

/** What a SUBSCRIBED event told us about the live stream. */
export interface SubscribedInfo {
  readonly frameworkId: string;
  readonly streamId: string;
  readonly leader: MasterEndpoint;
  readonly heartbeatIntervalSeconds: number;
  readonly masterVersion: string;
  /** The leading master as it advertises itself in SUBSCRIBED `master_info` (what a driver task must dial). */
  readonly masterInfo?: MasterInfo;
  /** Counts subscriptions; offers from an older generation are gone. */
  readonly generation: number;
}

/** How the subscription loop behaves and whom it tells. */
export interface SubscriptionOptions {
  /** The master URL, for logs and errors. */
  readonly label: string;
  readonly endpoints: readonly MasterEndpoint[];
  readonly http: SchedulerHttp;
  /** Builds SUBSCRIBE for the current framework id (unset on the very first subscribe). */
  readonly subscribeCall: () => MesosCall;
  /** Missed-heartbeat tolerance: reconnect after interval × factor + margin without a byte. */
  readonly heartbeatGraceFactor?: number;
  readonly heartbeatMarginMs?: number;
  readonly backoff?: Backoff;
  readonly logger?: MesosLogger;
  /** Called (synchronously, before any other event of the stream) on SUBSCRIBED. */
  readonly onSubscribed: (info: SubscribedInfo) => void;
  readonly onEvent: (event: MesosEvent, info: SubscribedInfo) => void;
  readonly onDisconnected: (reason: string) => void;
  /** Decides on an ERROR event that refused the subscription: try again (after fixing the call) or give up. */
  readonly onRefused?: (message: string) => 'resubscribe' | 'stop';
}

type Waiter = { resolve: (info: SubscribedInfo) => void; reject: (e: unknown) => void };

/**
 * One framework's event stream: SUBSCRIBE on its own connection, RecordIO decoding, heartbeat
 * watchdog, 307 leader redirects, 503 → next master, reconnect with capped backoff and jitter.
 */
export class Subscription {
  private info: SubscribedInfo | undefined;
  private failure: unknown;
  private closed = false;
  private readonly closeController = new AbortController();
  private currentStream: { close(): void } | undefined;
  private waiters: Waiter[] = [];
  private generation = 0;
  private leader: MasterEndpoint | undefined;
  private readonly log: MesosLogger;
  private loop: Promise<void> | undefined;
  /** Why the last subscribe attempt failed, for progress messages. */
  lastProblem: string | undefined;
  private readonly problemListeners = new Set<(problem: string) => void>();

  /** Calls `listener` each time a subscribe attempt fails; returns the unsubscribe function. */
  onProblem(listener: (problem: string) => void): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  constructor(private readonly options: SubscriptionOptions) {
    this.log = options.logger ?? silentLogger;
  }

  /** Starts the subscribe loop (once). */
  start(): void {
    this.loop ??= this.run();
  }

  /** The live subscription, if any. */
  get current(): SubscribedInfo | undefined {
    return this.info;
  }

  /** Resolves with the live subscription, waiting through reconnects; rejects when closed, refused or aborted. */
  ready(signal?: AbortSignal): Promise<SubscribedInfo> {
    if (this.info) return Promise.resolve(this.info);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new MesosNotSubscribedError(`the subscription to ${this.options.label} is closed`));
    this.start();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (i) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(i);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(signal?.reason ?? new MesosNotSubscribedError(`gave up waiting for a subscription to ${this.options.label}`));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Sends a call on the live stream; a 403 or a stream-id mismatch drops the stream so it is renewed. */
  async call(call: MesosCall, signal?: AbortSignal): Promise<void> {
    const info = await this.ready(signal);
    try {
      await this.options.http.call(info.leader, info.streamId, call, signal);
    } catch (e) {
      const stale =
        e instanceof MesosCallError && (e.status === 403 || e.status === 307 || (e.status === 400 && /stream id/i.test(e.message)));
      if (stale && this.info?.generation === info.generation) {
        this.log.warn(
          { master: this.options.label, call: call.type, status: (e as MesosCallError).status },
          'Dropped the event stream after a call was refused',
        );
        this.currentStream?.close();
      }
      throw e;
    }
  }

  /** Drops the live stream (it will be renewed): used when the caller knows it is stale. */
  dropStream(): void {
    this.currentStream?.close();
  }

  /** Closes the stream and stops reconnecting. The framework stays registered (no TEARDOWN), so a restart fails over to it. */
  async close(): Promise<void> {
    this.closed = true;
    this.closeController.abort();
    this.currentStream?.close();
    this.info = undefined;
    this.rejectWaiters(new MesosNotSubscribedError(`the subscription to ${this.options.label} was closed`));
    await this.loop?.catch(() => undefined);
  }

  private rejectWaiters(e: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(e);
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      const before = this.generation;
      try {
        await this.subscribeOnce();
      } catch (e) {
        if (this.closed) break;
        if (classOf(e) === 'terminal') {
          this.failure = e;
          this.log.error({ master: this.options.label, err: messageOf(e) }, 'Stopped subscribing to the Mesos master');
          this.rejectWaiters(e);
          return;
        }
        const problem = messageOf(e);
        this.lastProblem = problem;
        this.log.warn({ master: this.options.label, err: problem, attempt }, 'Lost the Mesos event stream');
        for (const l of [...this.problemListeners]) l(problem);
      }
      if (this.info) {
        this.info = undefined;
        this.options.onDisconnected('stream ended');
      }
      if (this.generation !== before) attempt = 0;
      if (this.closed) break;
      await sleep(backoffDelay(attempt++, { ...RECONNECT_BACKOFF, ...this.options.backoff }), this.closeController.signal);
    }
  }

  private candidates(): MasterEndpoint[] {
    const list = this.leader ? [this.leader, ...this.options.endpoints] : [...this.options.endpoints];
    const seen = new Set<string>();
    return list.filter((e) => {
      const k = `${e.host}:${e.port}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  /** One round over the known masters; returns whether a SUBSCRIBED was received before the stream ended. */
  private async subscribeOnce(): Promise<boolean> {
    const problems: string[] = [];
    for (const first of this.candidates()) {
      let target = first;
      for (let hops = 0; hops < 5 && !this.closed; hops++) {
        let outcome: SubscribeOutcome;
        try {
          outcome = await this.options.http.subscribe(target, this.options.subscribeCall(), this.closeController.signal);
        } catch (e) {
          if (classOf(e) === 'terminal' || (e instanceof MesosCallError && e.status >= 400 && e.status < 500)) throw e;
          problems.push(`${target.host}:${target.port}: ${messageOf(e)}`);
          break;
        }
        if (outcome.kind === 'redirect') {
          this.log.info(
            { master: this.options.label, from: `${target.host}:${target.port}`, to: `${outcome.leader.host}:${outcome.leader.port}` },
            'Followed a redirect to the leading master',
          );
          target = outcome.leader;
          continue;
        }
        if (outcome.kind === 'unavailable') {
          problems.push(`${target.host}:${target.port}: ${outcome.status} ${outcome.message}`);
          break;
        }
        this.leader = target;
        return this.consume(target, outcome);
      }
    }
    throw new MesosNotSubscribedError(
      `no leading Mesos master answered for ${this.options.label}: ${problems.join('; ') || 'no candidates'}`,
    );
  }

  private async consume(target: MasterEndpoint, stream: Extract<SubscribeOutcome, { kind: 'stream' }>): Promise<boolean> {
    this.currentStream = stream;
    if (this.closed) stream.close();
    const decoder = new RecordIoDecoder();
    let info: SubscribedInfo | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    let missed = false;
    const arm = (ms: number): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        missed = true;
        this.log.warn({ master: this.options.label, silentMs: ms }, 'Missed heartbeats; reconnecting');
        stream.close();
      }, ms);
    };
    const graceMs = (interval: number): number =>
      interval * 1000 * (this.options.heartbeatGraceFactor ?? 2) + (this.options.heartbeatMarginMs ?? 1000);
    arm(30_000);
    try {
      for await (const chunk of stream.body) {
        arm(info ? graceMs(info.heartbeatIntervalSeconds) : 30_000);
        for (const record of decoder.push(chunk)) {
          let event: unknown;
          try {
            event = JSON.parse(record.toString('utf8'));
          } catch (cause) {
            throw new RecordIoError(`an event from ${this.options.label} is not JSON`, { cause });
          }
          if (!isMesosEvent(event)) continue;
          if (!info) {
            info = this.onFirstEvent(target, stream.streamId, event);
            arm(graceMs(info.heartbeatIntervalSeconds));
            continue;
          }
          if (event.type === 'ERROR') this.onStreamError(event.error?.message ?? '');
          else this.dispatch(event, info);
        }
      }
      if (!missed && !this.closed) decoder.end();
    } catch (e) {
      if (!missed && !this.closed) throw e;
    } finally {
      clearTimeout(watchdog);
      stream.close();
      if (this.currentStream === stream) this.currentStream = undefined;
    }
    return info !== undefined;
  }

  private onFirstEvent(target: MasterEndpoint, streamId: string, event: MesosEvent): SubscribedInfo {
    if (event.type === 'ERROR') {
      const message = event.error?.message ?? 'no message';
      if (this.options.onRefused?.(message) === 'resubscribe')
        throw new MesosNotSubscribedError(`${this.options.label} refused the subscription (${message}); subscribing again`);
      throw new MesosSubscriptionRefusedError(`${this.options.label} refused the framework subscription: ${message}`);
    }
    if (event.type !== 'SUBSCRIBED' || !event.subscribed)
      throw new MesosNotSubscribedError(`${this.options.label} sent ${event.type} before SUBSCRIBED`);
    const info: SubscribedInfo = {
      frameworkId: event.subscribed.framework_id.value,
      streamId,
      leader: target,
      heartbeatIntervalSeconds: event.subscribed.heartbeat_interval_seconds ?? 15,
      masterVersion: event.subscribed.master_info?.version ?? 'unknown',
      ...(event.subscribed.master_info ? { masterInfo: event.subscribed.master_info } : {}),
      generation: ++this.generation,
    };
    this.info = info;
    this.lastProblem = undefined;
    this.log.info(
      { master: this.options.label, frameworkId: info.frameworkId, leader: `${target.host}:${target.port}` },
      'Subscribed to the Mesos master',
    );
    this.options.onSubscribed(info);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(info);
    return info;
  }

  private dispatch(event: MesosEvent, info: SubscribedInfo): void {
    try {
      this.options.onEvent(event, info);
    } catch (e) {
      this.log.error({ master: this.options.label, event: event.type, err: messageOf(e) }, 'Handling an event failed');
    }
  }

  private onStreamError(message: string): void {
    if (/failed over/i.test(message))
      throw new MesosSubscriptionRefusedError(
        `${this.options.label}: another scheduler subscribed with this framework id (${message}); stop the other controller instance`,
      );
    this.log.warn({ master: this.options.label, message }, 'Received an ERROR event');
  }
}
