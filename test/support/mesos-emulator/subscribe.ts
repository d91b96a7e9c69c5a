import type { ServerResponse } from 'node:http';
import type { Cluster, MasterIdentity } from './cluster.js';
import { Framework } from './framework.js';
import { isObject, type JsonObject } from './wire-json.js';

const MAX_DURATION_SECONDS = 292 * 365 * 86400;

/** Whether a string holds ASCII control characters or DEL. */
export function hasControl(s: string): boolean {
  return [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/** Why a role name is invalid (roles::validate), or undefined. */
export function invalidRole(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '') return 'Empty role name is invalid';
  if (role.startsWith('/') || role.endsWith('/')) return `Role '${role}' cannot start or end with '/'`;
  if (role.includes('//')) return `Role '${role}' cannot contain '//'`;
  if (/\s/.test(role) || hasControl(role)) return `Role '${role}' cannot contain whitespace or control characters`;
  for (const part of role.split('/')) {
    if (part === '.' || part === '..' || part === '*') return `Role '${role}' cannot contain '.', '..' or '*' as a path component`;
    if (part.startsWith('-')) return `Role '${role}' cannot start with '-'`;
  }
  return undefined;
}

function validateFrameworkInfo(cluster: Cluster, info: JsonObject, suppressed: string[]): string | undefined {
  const caps = new Set((Array.isArray(info.capabilities) ? info.capabilities : []).filter(isObject).map((c) => c.type));
  const roles = Array.isArray(info.roles) ? info.roles.map(String) : [];
  if (caps.has('MULTI_ROLE')) {
    if (info.role !== undefined) return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
    if (new Set(roles).size !== roles.length) return "'FrameworkInfo.roles' contains duplicate items";
  } else if (roles.length > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }
  const all = caps.has('MULTI_ROLE') ? roles : [typeof info.role === 'string' ? info.role : '*'];
  for (const role of all) {
    const bad = invalidRole(role);
    if (bad) return bad;
  }
  const missing = suppressed.filter((r) => !all.includes(r));
  if (missing.length > 0) return `Suppressed roles { ${missing.join(', ')} } are not contained in the set of roles`;
  const timeout = info.failover_timeout;
  if (typeof timeout === 'number' && (!Number.isFinite(timeout) || Math.abs(timeout) > MAX_DURATION_SECONDS)) {
    return `The framework failover_timeout (${timeout}) is invalid`;
  }
  const id = isObject(info.id) ? String(info.id.value) : undefined;
  if (id !== undefined && cluster.completedFrameworks.has(id)) return 'Framework has been removed';
  const existing = id !== undefined ? cluster.frameworks.get(id) : undefined;
  if (existing && (existing.principal ?? undefined) !== (typeof info.principal === 'string' ? info.principal : undefined)) {
    return "Changing framework's principal is not allowed.";
  }
  return undefined;
}

/**
 * Serves a validated SUBSCRIBE: a 200 stream, then SUBSCRIBED (or one ERROR event and the end of
 * the stream when the FrameworkInfo is refused). A second subscription of a framework takes over:
 * the old stream gets ERROR "Framework failed over" and is closed.
 */
export function subscribe(cluster: Cluster, call: JsonObject, res: ServerResponse, master: MasterIdentity, principal?: string): void {
  const sub = cluster.openStream(res, master.port);
  const body = isObject(call.subscribe) ? call.subscribe : {};
  const info: JsonObject = { ...(isObject(body.framework_info) ? body.framework_info : {}) };
  const suppressed = Array.isArray(body.suppressed_roles) ? body.suppressed_roles.map(String) : [];
  const error = validateFrameworkInfo(cluster, info, suppressed);
  if (error !== undefined) return cluster.closeStream(sub, error);
  if (principal !== undefined && info.principal === undefined) info.principal = principal;

  const id = isObject(info.id) ? String(info.id.value) : undefined;
  let framework = id !== undefined ? cluster.frameworks.get(id) : undefined;
  if (framework) {
    if (framework.info.user !== undefined) info.user = framework.info.user;
    if (framework.info.checkpoint !== undefined) info.checkpoint = framework.info.checkpoint;
    else delete info.checkpoint;
    const old = framework.stream;
    framework.stream = undefined;
    if (old) cluster.closeStream(old, 'Framework failed over');
    cluster.allocator.dropFramework(framework.id);
    framework.info = info;
    framework.reregisteredTime = Date.now() / 1000;
  } else if (id !== undefined) {
    framework = new Framework(id, info);
    framework.recovered = true;
    framework.reregisteredTime = Date.now() / 1000;
    cluster.frameworks.set(id, framework);
  } else {
    const newId = cluster.newFrameworkId();
    framework = new Framework(newId, { ...info, id: { value: newId } });
    cluster.frameworks.set(newId, framework);
  }
  framework.suppressed = new Set(suppressed);
  cluster.attach(framework, sub, master);
}
