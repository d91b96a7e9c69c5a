import { realpath, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { resolveStateDir } from '../state/state-dir.js';
import { readLiveLock, type LockInfo } from '../state/state-lock.js';
import type { CliContext } from './cli-context.js';

/** How many state dirs under the default root are looked at, at most. */
const MAX_STATE_DIRS = 64;

const real = (path: string) => realpath(path).catch(() => resolve(path));

/**
 * A live controller of this jobs folder that uses another state dir under the default state root
 * (`$XDG_STATE_HOME/sparkctl`), e.g. one started with `--state-dir` or another `$SPARKCTL_STATE_DIR`.
 */
export async function findOtherController(
  ctx: Pick<CliContext, 'jobsDir' | 'stateDir'>,
): Promise<{ stateDir: string; lock: LockInfo } | undefined> {
  const root = dirname(resolveStateDir(ctx.jobsDir, undefined, { ...process.env, SPARKCTL_STATE_DIR: '' }));
  const names = (await readdir(root).catch(() => [] as string[])).slice(0, MAX_STATE_DIRS);
  const jobs = await real(ctx.jobsDir);
  const mine = resolve(ctx.stateDir);
  for (const name of names.sort()) {
    const dir = join(root, name);
    if (dir === mine) continue;
    const lock = await readLiveLock(dir).catch(() => undefined);
    if (lock && (await real(lock.jobsDir)) === jobs) return { stateDir: dir, lock };
  }
  return undefined;
}
