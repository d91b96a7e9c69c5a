import { taskKey, type Cluster } from './cluster.js';
import type { Framework } from './framework.js';
import type { OutstandingOffer } from './offers.js';
import { add, contains, describe, emptyQuantities, fromResources, reservationRole, subtract, type Quantities } from './resources.js';
import { launchTask } from './task-lifecycle.js';
import { taskStatus } from './task-status.js';
import { validateTask } from './validate-task.js';
import { isObject, type JsonObject } from './wire-json.js';

const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);
const idOf = (v: unknown): string => (isObject(v) ? String(v.value) : '');

function tasksOf(operation: JsonObject): JsonObject[] {
  if (operation.type === 'LAUNCH' && isObject(operation.launch)) return list(operation.launch.task_infos);
  if (operation.type === 'LAUNCH_GROUP' && isObject(operation.launch_group) && isObject(operation.launch_group.task_group)) {
    return list(operation.launch_group.task_group.tasks);
  }
  return [];
}

/** UPDATE_OPERATION_STATUS OPERATION_ERROR (no uuid) for an operation that asked for feedback. */
function operationError(framework: Framework, operation: JsonObject, agentId: string | undefined, message: string): void {
  const status: JsonObject = { operation_id: operation.id!, state: 'OPERATION_ERROR', message };
  if (agentId !== undefined) status.agent_id = { value: agentId };
  framework.send({ type: 'UPDATE_OPERATION_STATUS', update_operation_status: { status } });
}

/** Checks the offer ids of an ACCEPT as the master does; returns the offers or the reason they are invalid. */
function takeOffers(cluster: Cluster, framework: Framework, ids: string[]): OutstandingOffer[] | string {
  let error: string | undefined;
  if (ids.length === 0) error = 'No offers specified';
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) error ??= `Duplicate offer ${id} in offer list`;
    seen.add(id);
    const offer = cluster.allocator.offers.get(id);
    if (!offer || offer.frameworkId !== framework.id) error ??= `Offer ${id} is no longer valid`;
  }
  const offers = [...seen]
    .map((id) => cluster.allocator.offers.get(id))
    .filter((o): o is OutstandingOffer => o?.frameworkId === framework.id);
  if (new Set(offers.map((o) => o.agentId)).size > 1) error ??= 'Aggregated offers must belong to one single agent';
  if (new Set(offers.map((o) => o.role)).size > 1) error ??= 'Aggregated offers must be allocated to the same role';
  for (const offer of offers) cluster.allocator.take(offer.id);
  return error ?? offers;
}

function refuseSeconds(cluster: Cluster, filters: unknown): number {
  const v = isObject(filters) ? filters.refuse_seconds : undefined;
  return typeof v === 'number' && v >= 0 ? v : cluster.settings.refuseDefaultSeconds;
}

/** ACCEPT: validates offers and tasks, launches the valid tasks, declines what is left with the filter. */
export function accept(cluster: Cluster, framework: Framework, body: JsonObject): void {
  const operations = list(body.operations);
  const taken = takeOffers(cluster, framework, list(body.offer_ids).map(idOf));
  if (typeof taken === 'string') {
    for (const operation of operations) {
      if (operation.id !== undefined && operation.type !== 'LAUNCH' && operation.type !== 'LAUNCH_GROUP') {
        operationError(framework, operation, undefined, `Operation attempted with invalid offers: ${taken}`);
      }
    }
    const state = framework.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
    for (const info of operations.flatMap(tasksOf)) {
      const stub = { id: idOf(info.task_id), agentId: idOf(info.agent_id), executorId: idOf(info.task_id), containerId: '' };
      cluster.masterUpdate(
        framework.id,
        taskStatus(stub, state, {
          source: 'SOURCE_MASTER',
          reason: 'REASON_INVALID_OFFERS',
          message: `Task launched with invalid offers: ${taken}`,
        }),
      );
    }
    return;
  }
  const agentId = taken[0]!.agentId;
  const role = taken[0]!.role;
  const reservedRole = taken[0]!.reservedRole;
  let pool: Quantities = taken.reduce((q, o) => add(q, o.resources), emptyQuantities());
  for (const operation of operations) {
    for (const info of tasksOf(operation)) {
      const stub = { id: idOf(info.task_id), agentId: idOf(info.agent_id) || agentId, executorId: idOf(info.task_id), containerId: '' };
      const resources = list(info.resources).map((r) => (r.allocation_info === undefined ? { ...r, allocation_info: { role } } : r));
      const executorResources = isObject(info.executor) ? list(info.executor.resources) : [];
      const need = fromResources([...resources, ...executorResources]);
      let error = validateTask(info, operation, {
        agentId,
        role,
        live: (id) => cluster.tasks.has(taskKey(framework.id, id)) || cluster.unreachableTasks.has(taskKey(framework.id, id)),
      });
      if (
        !error &&
        resources.some((r) => reservationRole(r) !== reservedRole || (isObject(r.allocation_info) && r.allocation_info.role !== role))
      ) {
        error = `Task uses resources of a role other than the offer's (${role}, reservation ${reservedRole})`;
      }
      if (!error && (need.unknown.length > 0 || !contains(pool, need))) {
        error = `Task uses more resources ${describe(need)}${need.unknown.length ? `; ${need.unknown.join(', ')}` : ''} than available ${describe(pool)}`;
      }
      if (error) {
        cluster.masterUpdate(
          framework.id,
          taskStatus(stub, 'TASK_ERROR', { source: 'SOURCE_MASTER', reason: 'REASON_TASK_INVALID', message: error }),
        );
        continue;
      }
      pool = subtract(pool, need);
      const group = operation.type === 'LAUNCH_GROUP';
      const task = launchTask(cluster, framework, info, agentId, role, resources, !group);
      if (group && task.state === 'TASK_STAGING') {
        cluster.reliableUpdate(task, 'TASK_FAILED', {
          source: 'SOURCE_AGENT',
          reason: 'REASON_CONTAINER_LAUNCH_FAILED',
          message: 'Failed to launch container: this agent runs no default executor for task groups',
        });
      }
    }
    if (operation.id !== undefined && operation.type !== 'LAUNCH' && operation.type !== 'LAUNCH_GROUP') {
      operationError(framework, operation, agentId, `${String(operation.type)} is not supported by this master`);
    }
  }
  cluster.allocator.filter(framework.id, agentId, role, pool, refuseSeconds(cluster, body.filters));
}

/** DECLINE: each outstanding offer is withdrawn and its agent filtered for `refuse_seconds`. */
export function decline(cluster: Cluster, framework: Framework, body: JsonObject): void {
  for (const id of list(body.offer_ids).map(idOf)) {
    const offer = cluster.allocator.offers.get(id);
    if (!offer || offer.frameworkId !== framework.id) continue;
    cluster.allocator.take(id);
    cluster.allocator.filter(framework.id, offer.agentId, offer.role, offer.resources, refuseSeconds(cluster, body.filters));
  }
}
