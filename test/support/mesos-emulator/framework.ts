import type { RecordIoWriter } from './recordio-writer.js';
import { isObject, type JsonObject } from './wire-json.js';

/** One open SUBSCRIBE response. */
export interface Subscription {
  readonly streamId: string;
  readonly writer: RecordIoWriter;
  /** Port of the master that serves it. */
  readonly port: number;
  heartbeat?: NodeJS.Timeout;
}

/** A framework as the master keeps it: its info, roles, subscription and filters. */
export class Framework {
  info: JsonObject;
  stream: Subscription | undefined;
  suppressed = new Set<string>();
  readonly registeredTime = Date.now() / 1000;
  reregisteredTime: number | undefined;
  unregisteredTime: number | undefined;
  failoverTimer: NodeJS.Timeout | undefined;
  /** Known to this master only through a re-subscription after a master failover. */
  recovered = false;

  constructor(
    readonly id: string,
    info: JsonObject,
  ) {
    this.info = info;
  }

  /** Whether a subscription stream is open. */
  get connected(): boolean {
    return this.stream !== undefined && !this.stream.writer.closed;
  }

  get capabilities(): Set<string> {
    const caps = Array.isArray(this.info.capabilities) ? this.info.capabilities : [];
    return new Set(caps.filter(isObject).map((c) => String(c.type)));
  }

  get partitionAware(): boolean {
    return this.capabilities.has('PARTITION_AWARE');
  }

  /** The roles the framework subscribed with (MULTI_ROLE `roles`, else the single `role`, default `*`). */
  get roles(): string[] {
    if (this.capabilities.has('MULTI_ROLE')) {
      return Array.isArray(this.info.roles) ? this.info.roles.map(String) : [];
    }
    return [typeof this.info.role === 'string' ? this.info.role : '*'];
  }

  get principal(): string | undefined {
    return typeof this.info.principal === 'string' ? this.info.principal : undefined;
  }

  get failoverTimeoutSeconds(): number {
    return typeof this.info.failover_timeout === 'number' ? this.info.failover_timeout : 0;
  }

  /** Sends one event on the open stream; dropped (as the master drops them) when disconnected. */
  send(event: JsonObject): boolean {
    return this.connected ? this.stream!.writer.write(event) : false;
  }
}
