import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ControllerLockedError } from './errors.js';

/** What the lock file records about the controller holding it. */
export interface LockInfo {
  readonly pid: number;
  readonly startedAt: string;
  readonly jobsDir: string;
  readonly metricsAddr?: string;
}

const LOCK_FILE = 'controller.lock';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Reads the lock of a state dir; undefined when no live controller holds it. */
export async function readLiveLock(stateDir: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(join(stateDir, LOCK_FILE), 'utf8')) as LockInfo;
    return typeof info.pid === 'number' && alive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the state dir's exclusive lock, replacing a stale one; throws ControllerLockedError when a live controller holds it. */
export async function acquireStateLock(stateDir: string, info: Omit<LockInfo, 'pid' | 'startedAt'>): Promise<() => Promise<void>> {
  const path = join(stateDir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), ...info };
  for (let i = 0; i < 3; i++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(mine));
      await handle.sync();
      await handle.close();
      return async () => {
        const current = await readLiveLock(stateDir);
        if (current?.pid === process.pid) await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readLiveLock(stateDir);
      if (holder) {
        throw new ControllerLockedError(
          `another controller (pid ${holder.pid}, started ${holder.startedAt}) already runs on ${holder.jobsDir}; ` +
            `its state dir is ${stateDir}. Stop it first, or give this one another --jobs folder.`,
        );
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new ControllerLockedError(`could not take the lock ${path}: remove it if no controller is running`);
}
