import { decodeBytes } from './parse-call.js';
import { isObject, type JsonObject } from './wire-json.js';

const MEMBERS: Readonly<Record<string, string>> = {
  ACCEPT: 'accept',
  DECLINE: 'decline',
  ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
  DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
  RECONCILE: 'reconcile',
  RECONCILE_OPERATIONS: 'reconcile_operations',
  MESSAGE: 'message',
  REQUEST: 'request',
  UPDATE_FRAMEWORK: 'update_framework',
};

const idOf = (v: unknown): string | undefined => (isObject(v) ? String(v.value) : undefined);

/**
 * `validation::scheduler::call::validate`: the reason a parsed Call is invalid (the master answers
 * `400 Failed to validate scheduler::Call: <reason>`), or undefined.
 */
export function validateCall(call: JsonObject, principal: string | undefined): string | undefined {
  if (call.type === undefined) return "Expecting 'type' to be present";
  if (call.type === 'SUBSCRIBE') {
    if (!isObject(call.subscribe)) return "Expecting 'subscribe' to be present";
    const info = isObject(call.subscribe.framework_info) ? call.subscribe.framework_info : {};
    if (idOf(info.id) !== idOf(call.framework_id)) return "'framework_id' differs from 'subscribe.framework_info.id'";
    if (principal !== undefined && typeof info.principal === 'string' && info.principal !== principal) {
      return `Authenticated principal '${principal}' does not match principal '${info.principal}' set in \`FrameworkInfo\``;
    }
    return undefined;
  }
  if (!isObject(call.framework_id)) return "Expecting 'framework_id' to be present";
  const member = MEMBERS[String(call.type)];
  if (member !== undefined && !isObject(call[member])) return `Expecting '${member}' to be present`;
  if (call.type === 'ACKNOWLEDGE' && isObject(call.acknowledge)) {
    const bytes = decodeBytes(String(call.acknowledge.uuid));
    if (!bytes || bytes.length !== 16) return `Not a valid UUID: expecting 16 bytes, got ${bytes?.length ?? 0}`;
  }
  if (call.type === 'ACKNOWLEDGE_OPERATION_STATUS' && isObject(call.acknowledge_operation_status)) {
    if (!isObject(call.acknowledge_operation_status.agent_id)) return "Expecting 'agent_id' to be present";
  }
  return undefined;
}
