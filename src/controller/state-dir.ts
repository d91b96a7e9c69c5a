import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';

/** The jobs folder: the flag, else $SPARKCTL_JOBS, else ./manifests. */
export function resolveJobsDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.SPARKCTL_JOBS ?? 'manifests');
}

/**
 * The state directory of a jobs folder, found the same way by every verb: the flag, else
 * $SPARKCTL_STATE_DIR, else `$XDG_STATE_HOME/sparkctl/<folder name>-<hash of its real path>`
 * (XDG_STATE_HOME defaults to ~/.local/state). It lives outside the jobs folder so a git sync
 * never touches it.
 */
export function resolveStateDir(jobsDir: string, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) return resolve(flag);
  if (env.SPARKCTL_STATE_DIR) return resolve(env.SPARKCTL_STATE_DIR);
  let real = resolve(jobsDir);
  try {
    real = realpathSync(real);
  } catch {
    // A folder that does not exist yet keeps its resolved path.
  }
  const base = env.XDG_STATE_HOME ? resolve(env.XDG_STATE_HOME) : join(homedir(), '.local', 'state');
  const id = createHash('sha256').update(real).digest('hex').slice(0, 12);
  const name = basename(real).replace(/[^A-Za-z0-9._-]/g, '_') || 'jobs';
  return join(base, 'sparkctl', `${name}-${id}`);
}
