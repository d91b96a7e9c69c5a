/** Wire shapes of the Mesos v1 scheduler API, in the snake_case JSON the master parses and emits. */

export interface MesosId {
  readonly value: string;
}

export interface Label {
  readonly key: string;
  readonly value?: string;
}

export interface Labels {
  readonly labels: Label[];
}

export interface Resource {
  readonly name: string;
  readonly type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  readonly scalar?: { readonly value: number };
  readonly ranges?: { readonly range: ReadonlyArray<{ readonly begin: number; readonly end: number }> };
  readonly set?: { readonly item: readonly string[] };
  readonly role?: string;
  readonly allocation_info?: { readonly role: string };
  readonly reservation?: unknown;
  readonly reservations?: ReadonlyArray<{ readonly type?: string; readonly role?: string; readonly principal?: string }>;
  readonly revocable?: unknown;
}

export interface Attribute {
  readonly name: string;
  readonly type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  readonly scalar?: { readonly value: number };
  readonly ranges?: { readonly range: ReadonlyArray<{ readonly begin: number; readonly end: number }> };
  readonly set?: { readonly item: readonly string[] };
  readonly text?: { readonly value: string };
}

export interface Offer {
  readonly id: MesosId;
  readonly framework_id: MesosId;
  readonly agent_id: MesosId;
  readonly hostname: string;
  readonly url?: {
    readonly scheme?: string;
    readonly address: { readonly hostname?: string; readonly ip?: string; readonly port: number };
    readonly path?: string;
  };
  readonly resources?: readonly Resource[];
  readonly attributes?: readonly Attribute[];
  readonly allocation_info?: { readonly role: string };
}

export interface TaskStatus {
  readonly task_id: MesosId;
  readonly state: string;
  readonly message?: string;
  readonly source?: string;
  readonly reason?: string;
  readonly agent_id?: MesosId;
  readonly executor_id?: MesosId;
  readonly timestamp?: number;
  /** Base64 of 16 bytes; present only on reliable (agent-forwarded) updates. */
  readonly uuid?: string;
  readonly data?: string;
  readonly labels?: Labels;
  readonly container_status?: { readonly executor_pid?: number; readonly container_id?: MesosId };
}

export interface MasterInfo {
  readonly id?: string;
  /** IPv4 packed into a uint32 in network byte order (deprecated; `address` replaces it). */
  readonly ip?: number;
  readonly hostname?: string;
  readonly port?: number;
  readonly version?: string;
  readonly address?: { readonly hostname?: string; readonly ip?: string; readonly port?: number };
}

/** One `mesos.v1.scheduler.Event`; unknown types are kept and ignored. */
export interface MesosEvent {
  readonly type: string;
  readonly subscribed?: {
    readonly framework_id: MesosId;
    readonly heartbeat_interval_seconds?: number;
    readonly master_info?: MasterInfo;
  };
  readonly offers?: { readonly offers?: readonly Offer[] };
  readonly rescind?: { readonly offer_id: MesosId };
  readonly update?: { readonly status: TaskStatus };
  readonly failure?: { readonly agent_id?: MesosId; readonly executor_id?: MesosId; readonly status?: number };
  readonly error?: { readonly message: string };
  readonly message?: unknown;
}

export interface FrameworkInfo {
  readonly id?: MesosId;
  readonly user: string;
  readonly name: string;
  readonly roles: string[];
  readonly capabilities: Array<{ readonly type: string }>;
  readonly failover_timeout: number;
  readonly checkpoint: boolean;
  readonly principal?: string;
  readonly hostname?: string;
  readonly labels?: Labels;
}

/** One `mesos.v1.scheduler.Call`. */
export interface MesosCall {
  readonly type: string;
  readonly framework_id?: MesosId;
  readonly [member: string]: unknown;
}

/** Terminal task states, as Mesos' isTerminalState() defines them. */
export const TERMINAL_TASK_STATES: ReadonlySet<string> = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

/** Whether a value parsed from the stream looks like an Event (an object with a string `type`). */
export function isMesosEvent(value: unknown): value is MesosEvent {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
