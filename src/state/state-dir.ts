import { createHash } from 'node:crypto';
import { lstatSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

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
  // A jobs path that is a link (as a git-synced one is), or that does not exist yet, is known by
  // its own name in its parent's real path, not by where it points now.
  const isLinkOrMissing = (() => {
    try {
      return lstatSync(real).isSymbolicLink();
    } catch {
      return true;
    }
  })();
  try {
    real = isLinkOrMissing ? join(realpathSync(dirname(real)), basename(real)) : realpathSync(real);
  } catch {
    // A parent that does not exist yet keeps the resolved path.
  }
  const base = env.XDG_STATE_HOME ? resolve(env.XDG_STATE_HOME) : join(homedir(), '.local', 'state');
  const id = createHash('sha256').update(real).digest('hex').slice(0, 12);
  const name = basename(real).replace(/[^A-Za-z0-9._-]/g, '_') || 'jobs';
  return join(base, 'sparkctl', `${name}-${id}`);
}
