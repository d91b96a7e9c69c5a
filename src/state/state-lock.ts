/**
 * The state dir's controller lock and who holds it.
 *
 * The lock is flock(2) on `controller.lock` (see flock-fd.ts): the kernel releases it when the
 * holder dies, and it works across pid and network namespaces (containers sharing the state dir).
 * The file's content (pid, start time, jobs folder) is only a description for people; nothing
 * trusts its pid. Whether a controller runs is asked over its control socket (`control.sock`, 0600),
 * which only the lock holder binds; `sparkctl sync` uses the same socket instead of a signal.
 */
import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requestControl, serveControl, type ControlReply, type ControlRequest } from './control-socket.js';
import { ControllerLockedError } from './errors.js';
import { tryFlock } from './flock-fd.js';

/** What the lock holder says about itself. */
export interface LockInfo {
  readonly pid: number;
  readonly startedAt: string;
  readonly jobsDir: string;
  readonly metricsAddr?: string;
}

const LOCK_FILE = 'controller.lock';

const asInfo = (value: unknown): LockInfo | undefined => {
  const info = value as Partial<LockInfo> | undefined;
  return info && typeof info.pid === 'number' && typeof info.startedAt === 'string' && typeof info.jobsDir === 'string'
    ? (info as LockInfo)
    : undefined;
};

async function describedHolder(stateDir: string): Promise<LockInfo | undefined> {
  try {
    return asInfo(JSON.parse(await readFile(join(stateDir, LOCK_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

/** The controller running on a state dir, as it answers on its control socket; undefined when none runs. */
export async function readLiveLock(stateDir: string): Promise<LockInfo | undefined> {
  const reply = await requestControl(stateDir, { op: 'info' });
  if (reply === 'none') return undefined;
  // A controller that accepted the connection is alive even when busy: fall back to what its lock file says.
  if (typeof reply === 'string' || !reply.ok) return describedHolder(stateDir);
  return asInfo(reply.info);
}

/**
 * Answers control requests: `info` with the holder's description; `sync` is handed to the
 * process's SIGHUP listeners in-process (no signal is sent), so both reach the same handler.
 */
function answer(mine: LockInfo, more?: ControlHandler): (request: ControlRequest) => ControlReply | Promise<ControlReply> {
  return (request) => {
    if (request.op === 'info') return { ok: true, info: mine };
    if (request.op !== 'sync') return more ? more(request) : { ok: false, error: `this controller takes no ${request.op} requests` };
    if (process.listenerCount('SIGHUP') === 0) return { ok: false, error: 'this controller takes no sync requests' };
    process.emit('SIGHUP', 'SIGHUP');
    return { ok: true };
  };
}

/** Answers the requests the lock itself does not (trigger, rerun): the controller's part. */
export type ControlHandler = (request: Exclude<ControlRequest, { op: 'info' | 'sync' }>) => Promise<ControlReply>;

/** Takes the state dir's exclusive lock and binds its control socket; throws ControllerLockedError when a live controller holds it. */
export async function acquireStateLock(
  stateDir: string,
  info: Omit<LockInfo, 'pid' | 'startedAt'>,
  onRequest?: ControlHandler,
): Promise<() => Promise<void>> {
  const path = join(stateDir, LOCK_FILE);
  // Never truncated before the lock is ours, and never unlinked: a new inode would be a second lock.
  const handle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  let locked = false;
  try {
    locked = await tryFlock(handle.fd, path);
  } finally {
    if (!locked) await handle.close();
  }
  if (!locked) {
    const holder = (await readLiveLock(stateDir)) ?? (await describedHolder(stateDir));
    const who = holder
      ? `another controller (pid ${holder.pid}, started ${holder.startedAt}) already runs on ${holder.jobsDir}`
      : 'another controller holds the lock';
    throw new ControllerLockedError(`${who}; its state dir is ${stateDir}. Stop it first, or give this one another --jobs folder.`);
  }
  const mine: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), ...info };
  try {
    await handle.truncate(0);
    await handle.write(JSON.stringify(mine), 0);
    await handle.sync();
    const control = await serveControl(stateDir, answer(mine, onRequest));
    return async () => {
      await control.close();
      await handle.truncate(0).catch(() => undefined);
      await handle.close();
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
