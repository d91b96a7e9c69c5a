import type { Cluster, MasterIdentity } from './cluster.js';
import type { Framework } from './framework.js';
import { fromResources, type Quantities } from './resources.js';
import type { EmulatedTask } from './types.js';
import { double, isObject, type JsonObject } from './wire-json.js';

/** The version the emulated masters report. */
export const MESOS_VERSION = '1.11.0';

function resourceMap(q: Quantities): JsonObject {
  const out: JsonObject = {
    cpus: double(q.scalars.cpus ?? 0),
    gpus: double(q.scalars.gpus ?? 0),
    mem: double(q.scalars.mem ?? 0),
    disk: double(q.scalars.disk ?? 0),
  };
  if (q.ports.length > 0) out.ports = `[${q.ports.map(([b, e]) => `${b}-${e}`).join(', ')}]`;
  return out;
}

function taskJson(task: EmulatedTask): JsonObject {
  const out: JsonObject = {
    id: task.id,
    name: task.name,
    framework_id: task.frameworkId,
    executor_id: '',
    slave_id: task.agentId,
    state: task.state,
    resources: resourceMap(fromResources(task.resources)),
    role: task.role,
    statuses: task.statuses.map((s) => ({ state: s.state, timestamp: double(s.timestamp) })),
  };
  if (isObject(task.info.labels) && Array.isArray(task.info.labels.labels)) out.labels = task.info.labels.labels;
  if (isObject(task.info.container)) out.container = task.info.container;
  return out;
}

function frameworkJson(cluster: Cluster, f: Framework, active: boolean): JsonObject {
  const mine = (t: EmulatedTask): boolean => t.frameworkId === f.id;
  const roles = f.roles;
  return {
    id: f.id,
    name: String(f.info.name ?? ''),
    capabilities: [...f.capabilities],
    hostname: String(f.info.hostname ?? ''),
    webui_url: String(f.info.webui_url ?? ''),
    active: active && f.connected,
    connected: f.connected,
    recovered: f.recovered,
    user: String(f.info.user ?? ''),
    failover_timeout: double(f.failoverTimeoutSeconds),
    checkpoint: f.info.checkpoint === true,
    registered_time: double(f.registeredTime),
    unregistered_time: double(f.unregisteredTime ?? 0),
    ...(f.reregisteredTime !== undefined ? { reregistered_time: double(f.reregisteredTime) } : {}),
    ...(f.principal !== undefined ? { principal: f.principal } : {}),
    ...(f.capabilities.has('MULTI_ROLE') ? { roles } : { role: roles[0] ?? '*' }),
    suppressed_roles: [...f.suppressed],
    tasks: [...cluster.tasks.values()].filter(mine).map(taskJson),
    unreachable_tasks: [...cluster.unreachableTasks.values()].filter(mine).map(taskJson),
    completed_tasks: cluster.completedTasks.filter(mine).map(taskJson),
    offers: [...cluster.allocator.offers.values()]
      .filter((o) => o.frameworkId === f.id)
      .map((o) => ({
        id: o.id,
        framework_id: o.frameworkId,
        slave_id: o.agentId,
        resources: resourceMap(o.resources),
        allocation_info: { role: o.role },
      })),
    executors: [],
    ...(isObject(f.info.labels) && Array.isArray(f.info.labels.labels) ? { labels: f.info.labels.labels } : {}),
  };
}

/** Master `GET /state`: the endpoint JSON model (ids as strings, `slave_id`, flattened resources). */
export function masterState(cluster: Cluster, master: MasterIdentity): JsonObject {
  const slaves = cluster.agents
    .filter((a) => !a.unreachable)
    .map((a) => ({
      id: a.id,
      hostname: a.hostname,
      port: cluster.agentPort,
      pid: `slave(1)@127.0.0.1:${cluster.agentPort}`,
      resources: resourceMap(a.total),
      used_resources: resourceMap(cluster.used(a.id)),
      attributes: Object.fromEntries(
        a.attributes.map((x) => [String(x.name), (isObject(x.text) ? x.text.value : isObject(x.scalar) ? x.scalar.value : null) ?? null]),
      ),
      active: true,
      version: MESOS_VERSION,
    }));
  const leader = cluster.leader;
  return {
    version: MESOS_VERSION,
    build_date: '2020-11-24 00:00:00',
    build_time: double(1606176000),
    build_user: 'emulator',
    start_time: double(cluster.startTime),
    id: master.id,
    pid: `master@127.0.0.1:${master.port}`,
    hostname: master.hostname,
    capabilities: ['AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2'],
    activated_slaves: slaves.length,
    deactivated_slaves: 0,
    unreachable_slaves: cluster.agents.filter((a) => a.unreachable).length,
    ...(leader ? { leader: `master@127.0.0.1:${leader.port}`, leader_info: leader.info } : {}),
    flags: {},
    slaves,
    recovered_slaves: [],
    frameworks: [...cluster.frameworks.values()].map((f) => frameworkJson(cluster, f, true)),
    completed_frameworks: [...cluster.completedFrameworks.values()].map((f) => frameworkJson(cluster, f, false)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

/** Agent `GET /slave(1)/state`: frameworks with each executor's sandbox `directory`. */
export function agentState(cluster: Cluster): JsonObject {
  const all = [...cluster.tasks.values(), ...cluster.completedTasks, ...cluster.unreachableTasks.values()];
  const frameworkIds = [...new Set(all.map((t) => t.frameworkId))];
  return {
    version: MESOS_VERSION,
    id: cluster.agents[0]?.id ?? '',
    pid: `slave(1)@127.0.0.1:${cluster.agentPort}`,
    hostname: '127.0.0.1',
    frameworks: frameworkIds.map((fid) => ({
      id: fid,
      name: String(cluster.frameworks.get(fid)?.info.name ?? cluster.completedFrameworks.get(fid)?.info.name ?? ''),
      executors: all
        .filter((t) => t.frameworkId === fid)
        .map((t) => ({
          id: t.executorId,
          name: `Command Executor (Task: ${t.id})`,
          source: t.id,
          container: t.containerId,
          directory: t.sandbox,
          resources: resourceMap(fromResources(t.resources)),
          type: 'COMMAND',
          tasks: cluster.tasks.has(`${fid}\u0000${t.id}`) && t.state !== 'TASK_STAGING' ? [taskJson(t)] : [],
          queued_tasks: t.state === 'TASK_STAGING' ? [taskJson(t)] : [],
          completed_tasks: cluster.tasks.has(`${fid}\u0000${t.id}`) ? [] : [taskJson(t)],
        })),
    })),
    completed_frameworks: [],
  };
}
