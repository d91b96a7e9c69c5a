import { chmodSync, chownSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Numeric ids of a Unix user on the agent host. */
export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** getpwnam() on the agent: the user's ids from /etc/passwd, or the agent's error text. */
export function lookupUser(name: string, passwd = '/etc/passwd'): Owner | string {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch (e) {
    return `Failed to read ${passwd}: ${e instanceof Error ? e.message : String(e)}`;
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return `Failed to get user information for '${name}': no such user`;
}

/** os::chown(user, path) as stout does it: recursive, links not followed. */
export function chownTree(path: string, owner: Owner): void {
  chownSync(path, owner.uid, owner.gid);
  const s = lstatSync(path);
  if (!s.isDirectory()) return;
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    if (lstatSync(child).isSymbolicLink()) continue;
    chownTree(child, owner);
  }
}

/**
 * paths::createSandboxDirectory (src/slave/paths.cpp): the run directory is chmod 0750 and, with
 * the agent's --switch_user (the default), chowned to the task user (CommandInfo.user, else
 * FrameworkInfo.user), so only that user (and root with CAP_DAC_OVERRIDE) can write it.
 */
export function ownSandbox(sandbox: string, owner: Owner): void {
  chmodSync(sandbox, 0o750);
  // Like an agent without --switch_user, an emulator that is not root cannot give files away.
  if (process.getuid?.() === 0) chownTree(sandbox, owner);
}
