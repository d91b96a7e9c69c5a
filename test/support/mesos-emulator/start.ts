import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { Cluster } from './cluster.js';
import { createFaults, type MesosFaults } from './faults.js';
import { startMasterServer, type MasterServer } from './master-server.js';
import { emptyQuantities, type Quantities } from './resources.js';
import { masterState } from './state-endpoint.js';
import type { PendingUpdate } from './status-updates.js';
import type { EmulatedTask, EmulatorOptions, RecordedMessage } from './types.js';
import { stringifyWire, type JsonObject } from './wire-json.js';

/** A running emulated master (or one master of a pair) and its controls. */
export interface MesosMaster {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`). */
  readonly url: string;
  readonly port: number;
  readonly masterInfo: JsonObject;
  /** Agent ids, in the order of `options.agents`. */
  readonly agentIds: readonly string[];
  /** The agents' --work_dir, holding every task sandbox. */
  readonly workDir: string;
  readonly faults: MesosFaults;
  /** The master's `/state` JSON, taken now. */
  readonly state: JsonObject;
  /** Every task the master knows (live, unreachable and completed), oldest first. */
  tasks(): EmulatedTask[];
  /** Call bodies received (all masters of a pair), in order. */
  calls(): unknown[];
  /** Events sent (all masters of a pair), in order. */
  events(): JsonObject[];
  /** Calls and events interleaved, with the port of the master involved. */
  messages(): RecordedMessage[];
  /** Status updates sent with a uuid and not yet acknowledged. */
  pendingUpdates(): PendingUpdate[];
  /** Stops servers, timers and streams, removes task containers and (if it made it) the work dir. */
  close(): Promise<void>;
}

/** Two masters sharing agents and tasks; one leads at a time. */
export interface MesosPair {
  readonly masters: readonly [MesosMaster, MesosMaster];
  /** The master leading now. */
  leader(): MesosMaster;
  readonly faults: MesosFaults;
  close(): Promise<void>;
}

function agentQuantities(a: NonNullable<EmulatorOptions['agents']>[number]): Quantities {
  const q = emptyQuantities();
  q.scalars = { cpus: a.cpus ?? 4, mem: a.mem ?? 4096, disk: a.disk ?? 10240 };
  q.ports = (a.ports ?? [[31000, 32000]]).map(([b, e]) => [b, e]);
  return q;
}

async function createCluster(
  options: EmulatorOptions,
  masterCount: 1 | 2,
): Promise<{ cluster: Cluster; servers: MasterServer[]; ownsWorkDir: boolean }> {
  const docker = typeof options.docker === 'object' ? options.docker : new Docker({ socketPath: options.docker ?? '/var/run/docker.sock' });
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'mesos-emulator-'));
  const cluster = new Cluster(
    options,
    {
      heartbeatMs: (options.heartbeatIntervalSeconds ?? 15) * 1000,
      refuseDefaultSeconds: options.offerRefuseDefaultSeconds ?? 5,
      killGraceSeconds: options.killGraceSeconds ?? 3,
      workDir,
    },
    docker,
  );
  const servers: MasterServer[] = [];
  for (let i = 0; i < masterCount; i++) servers.push(await startMasterServer(cluster, options.auth, options.tls));
  const first = servers[0]!.identity;
  cluster.agentPort = first.port;
  cluster.leader = options.leader === false ? null : first;
  (options.agents ?? [{}]).forEach((a, i) => {
    cluster.agents.push({
      id: a.id ?? `${first.id}-S${i}`,
      hostname: a.hostname ?? '127.0.0.1',
      total: agentQuantities(a),
      attributes: Object.entries(a.attributes ?? {}).map(([name, v]): JsonObject =>
        typeof v === 'number' ? { name, type: 'SCALAR', scalar: { value: v } } : { name, type: 'TEXT', text: { value: v } },
      ),
      roles: a.roles,
      unreachable: false,
      recovering: false,
    });
  });
  cluster.allocator.start();
  return { cluster, servers, ownsWorkDir: options.workDir === undefined };
}

function closer(cluster: Cluster, servers: MasterServer[], ownsWorkDir: boolean): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= (async () => {
      cluster.closed = true;
      cluster.allocator.stop();
      cluster.updates.close();
      clearTimeout(cluster.recoveryTimer);
      cluster.clearTimers();
      for (const f of [...cluster.frameworks.values(), ...cluster.completedFrameworks.values()]) {
        clearTimeout(f.failoverTimer);
        if (f.stream) cluster.closeStream(f.stream, undefined, true);
      }
      await cluster.runner.removeAll();
      for (const { server } of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      if (ownsWorkDir) rmSync(cluster.settings.workDir, { recursive: true, force: true });
    })());
}

function handle(cluster: Cluster, server: MasterServer, faults: ReturnType<typeof createFaults>, close: () => Promise<void>): MesosMaster {
  const { identity } = server;
  return {
    url: `${cluster.options.tls ? 'https' : 'http'}://127.0.0.1:${identity.port}`,
    port: identity.port,
    masterInfo: identity.info,
    agentIds: cluster.agents.map((a) => a.id),
    workDir: cluster.settings.workDir,
    faults,
    get state() {
      return JSON.parse(stringifyWire(masterState(cluster, identity))) as JsonObject;
    },
    tasks: () => [...new Set([...cluster.completedTasks, ...cluster.unreachableTasks.values(), ...cluster.tasks.values()])],
    calls: () => cluster.recorder.messages.filter((m) => m.dir === 'call').map((m) => m.body),
    events: () => cluster.recorder.messages.filter((m) => m.dir === 'event').map((m) => m.body as JsonObject),
    messages: () => [...cluster.recorder.messages],
    pendingUpdates: () => cluster.updates.pending(),
    close,
  };
}

/** Starts one emulated Mesos master with its agents on 127.0.0.1 (ephemeral port). */
export async function startMesosMaster(options: EmulatorOptions = {}): Promise<MesosMaster> {
  const { cluster, servers, ownsWorkDir } = await createCluster(options, 1);
  return handle(cluster, servers[0]!, createFaults(cluster, {}), closer(cluster, servers, ownsWorkDir));
}

/** Starts two emulated masters over the same agents; the first leads, the second answers 307 to it. */
export async function startMesosPair(options: EmulatorOptions = {}): Promise<MesosPair> {
  const { cluster, servers, ownsWorkDir } = await createCluster({ ...options, leader: true }, 2);
  let lastLeader = cluster.leader;
  const dropLeader = (): void => {
    lastLeader = cluster.leader ?? lastLeader;
    cluster.leader = null;
    for (const f of cluster.frameworks.values()) {
      // The next leader starts with a fresh allocator: no filters.
      cluster.allocator.clearFilters(f.id, []);
      if (!f.stream) continue;
      const sub = f.stream;
      f.stream = undefined;
      cluster.closeStream(sub, undefined, true);
      cluster.allocator.dropFramework(f.id);
      f.recovered = true;
    }
  };
  const failover = (): void => {
    dropLeader();
    cluster.leader = servers.map((s) => s.identity).find((m) => m !== lastLeader) ?? null;
    cluster.agentsRecover();
  };
  const faults = createFaults(cluster, { failover, noLeader: dropLeader });
  const close = closer(cluster, servers, ownsWorkDir);
  const masters = [handle(cluster, servers[0]!, faults, close), handle(cluster, servers[1]!, faults, close)] as const;
  return {
    masters,
    leader: () => masters.find((m) => m.port === cluster.leader?.port) ?? masters[0],
    faults,
    close,
  };
}
