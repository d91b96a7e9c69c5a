import { setTimeout as delay } from 'node:timers/promises';
import type Docker from 'dockerode';
import { engineMessageOf, statusCodeOf } from './errors.js';

/** Inspects a container by name or id; undefined when the engine has none. */
export async function inspectOrUndefined(
  docker: Docker,
  nameOrId: string,
  signal: AbortSignal,
): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(nameOrId).inspect({ abortSignal: signal });
  } catch (e) {
    if (statusCodeOf(e) === 404) return undefined;
    throw e;
  }
}

/** Inspects a container that another caller just created: after a create conflict the engine may not show it yet. */
export async function inspectCreated(docker: Docker, name: string, signal: AbortSignal): Promise<Docker.ContainerInspectInfo> {
  for (let i = 0; i < 50; i++) {
    const info = await inspectOrUndefined(docker, name, signal);
    if (info) return info;
    await delay(100, undefined, { signal });
  }
  return docker.getContainer(name).inspect({ abortSignal: signal });
}

/**
 * Stops a container (SIGTERM, then SIGKILL after `stopTimeout` seconds) and removes it.
 * Returns false when there was nothing to remove; a container already gone is not an error.
 */
export async function removeContainer(docker: Docker, nameOrId: string, stopTimeout: number, signal: AbortSignal): Promise<boolean> {
  const c = docker.getContainer(nameOrId);
  try {
    await c.stop({ t: stopTimeout, abortSignal: signal });
  } catch (e) {
    const s = statusCodeOf(e);
    if (s === 404) return false;
    if (s !== 304) throw e;
  }
  try {
    await c.remove({ force: true, v: true, abortSignal: signal });
    return true;
  } catch (e) {
    const s = statusCodeOf(e);
    if (s === 404 || (s === 409 && /already in progress/i.test(engineMessageOf(e)))) return false;
    throw e;
  }
}
