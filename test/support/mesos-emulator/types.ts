import type Docker from 'dockerode';
import type { JsonObject } from './wire-json.js';

/** One simulated agent: its resources and attributes, offered as Mesos offers them. */
export interface AgentOptions {
  /** The agent id; default `<masterId>-S<n>`. */
  readonly id?: string;
  /** Always reached at the emulator's own port; default '127.0.0.1'. */
  readonly hostname?: string;
  readonly cpus?: number;
  /** MB. */
  readonly mem?: number;
  /** MB. */
  readonly disk?: number;
  /** Port ranges offered as the `ports` resource; default [[31000, 32000]]. */
  readonly ports?: ReadonlyArray<readonly [number, number]>;
  /** TEXT attributes (`{rack: 'r1'}`) or SCALAR ones (numbers). */
  readonly attributes?: Readonly<Record<string, string | number>>;
  /** When set, the resources are statically reserved: offered only to frameworks holding one of these roles. */
  readonly roles?: readonly string[];
}

/** HTTP Basic credentials the master requires when set. */
export interface AuthOptions {
  readonly principal: string;
  readonly secret: string;
}

/** Serve HTTPS (libprocess SSL): PEM certificate and key; `ca` + `requestCert` require client certificates. */
export interface TlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca?: string | Buffer;
  /** Mutual TLS (LIBPROCESS_SSL_REQUIRE_CLIENT_CERT): clients without a certificate signed by `ca` are refused. */
  readonly requestCert?: boolean;
}

/** Options of `startMesosMaster` (and, shared by both masters, `startMesosPair`). */
export interface EmulatorOptions {
  readonly agents?: readonly AgentOptions[];
  /** Seconds between HEARTBEAT events; also what SUBSCRIBED advertises. Default 15. */
  readonly heartbeatIntervalSeconds?: number;
  /** `Filters.refuse_seconds` when a DECLINE or ACCEPT gives none. Default 5. */
  readonly offerRefuseDefaultSeconds?: number;
  /** Seconds between allocation cycles (`--allocation_interval`). Default 1. */
  readonly allocationIntervalSeconds?: number;
  /** Rescind offers not answered within this many seconds (`--offer_timeout`); default never. */
  readonly offerTimeoutSeconds?: number;
  /** First retry of an unacknowledged status update (the agent's 10 s), doubling up to 600 s. */
  readonly statusUpdateRetrySeconds?: number;
  /** The engine that runs launched tasks: a dockerode instance or a socket path. Default /var/run/docker.sock. */
  readonly docker?: Docker | string;
  /** Where sandboxes live (the agent's --work_dir); default a new temp folder removed by close(). */
  readonly workDir?: string;
  /** Append every call and event as a JSON line here; default `$SPARKCTL_MESOS_RECORD`. */
  readonly recordFile?: string;
  /** Serve HTTPS instead of HTTP (offers' url.scheme stays "http", as in Mesos). */
  readonly tls?: TlsOptions;
  /** Require HTTP Basic auth on /api/v1/scheduler. */
  readonly auth?: AuthOptions;
  /** False: this master is not the leader and knows none (503). Used by startMesosPair. */
  readonly leader?: boolean;
  /**
   * After a failover, seconds until the agents re-register with the new leader (its view of them and their tasks is empty until then).
   * Default 0.
   */
  readonly agentReregisterDelaySeconds?: number;
  /**
   * The cluster speaks TLS only (libprocess SSL without downgrade): a task whose environment lacks
   * LIBPROCESS_SSL_ENABLED/CERT_FILE/KEY_FILE (or names files missing from its volumes) fails to launch,
   * standing in for a driver that could never register. Default false.
   */
  readonly requireLibprocessSsl?: boolean;
  /**
   * `--registry_max_agent_age`: seconds after which the master forgets an agent partitioned with
   * `faults.partitionAgent` and its unreachable tasks (reconciliation then answers TASK_UNKNOWN). Default never (Mesos: 2 weeks).
   */
  readonly unreachableAgentMaxAgeSeconds?: number;
  /** Seconds a killed container gets between SIGTERM and SIGKILL when no kill_policy says. Default 3. */
  readonly killGraceSeconds?: number;
}

/** A task as the master knows it. */
export interface EmulatedTask {
  readonly id: string;
  readonly name: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly executorId: string;
  readonly role: string;
  readonly info: JsonObject;
  readonly resources: JsonObject[];
  readonly containerId: string;
  readonly sandbox: string;
  /** The latest state the agent reported (what reconciliation answers). */
  state: string;
  statuses: Array<{ state: string; timestamp: number }>;
  /** Docker container id once created. */
  dockerId?: string;
  exitCode?: number;
  killRequested?: boolean;
  /** `max_completion_time` ran out and the executor killed the task. */
  deadlineReached?: boolean;
  unreachableSince?: number;
}

/** One call or event as recorded, in arrival order. */
export interface RecordedMessage {
  readonly dir: 'call' | 'event';
  readonly body: unknown;
  /** The master's port that received the call or sent the event. */
  readonly port: number;
}
