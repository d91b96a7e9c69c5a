import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

/** The Unix user a cluster-mode driver runs as: FrameworkInfo.user and the DockerInfo `user` parameter. */
export interface TaskUser {
  /** FrameworkInfo.user: the agent creates the sandbox and chowns it to this user (src/slave/paths.cpp). */
  readonly name: string;
  /** `docker run --user` value: `uid:gid` when this host knows the user, else the name (the image must then know it). */
  readonly dockerUser: string;
}

/** The controller's own user name ('root' when the system cannot say). */
export function controllerUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'root';
  }
}

/**
 * Resolves the framework user to the ids the driver container runs with. The agent chowns the
 * sandbox to the user *name* (getpwnam on the agent), while Docker resolves `--user NAME` in the
 * image's own /etc/passwd, where an operator's user rarely exists; numeric ids from this host
 * avoid that, on the usual assumption that users have the same ids on every host of a cluster.
 */
export function resolveTaskUser(name: string, passwd = '/etc/passwd'): TaskUser {
  try {
    const me = userInfo();
    if (me.username === name && me.uid >= 0) return { name, dockerUser: `${me.uid}:${me.gid}` };
  } catch {
    // No passwd entry for this process: fall through to the file.
  }
  let text = '';
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return { name, dockerUser: name };
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && /^[0-9]+$/.test(uid ?? '') && /^[0-9]+$/.test(gid ?? '')) return { name, dockerUser: `${uid}:${gid}` };
  }
  return { name, dockerUser: name };
}
