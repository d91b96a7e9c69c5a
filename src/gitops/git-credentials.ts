import { statSync } from 'node:fs';
import { readSecretFile } from '../secrets/read-secret-file.js';
import { GitCredentialsFileError } from './errors.js';

/** A username and password (or token) for an HTTP(S) remote, held only in the controller's memory. */
export interface GitCredentials {
  readonly username: string;
  readonly password: string;
}

/** The --git URL as given to git (no userinfo a remote could be asked for) and the credentials taken out of it. */
export interface SplitUrl {
  readonly url: string;
  readonly credentials?: GitCredentials;
}

const SCHEME_USERINFO = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/@\s]*)@/;

/**
 * Takes the userinfo out of a --git URL: for http(s) it becomes credentials git is given through
 * a credential helper (never argv); git:// carries none (dropped); ssh:// keeps only the user name
 * (ssh cannot take a password). Other forms (scp-like, paths) pass unchanged.
 */
export function splitUrlCredentials(url: string): SplitUrl {
  const m = SCHEME_USERINFO.exec(url);
  if (!m) return { url };
  const scheme = m[1]!.toLowerCase();
  const userinfo = m[2]!;
  const rest = url.slice(m[0].length);
  const colon = userinfo.indexOf(':');
  const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? undefined : decode(userinfo.slice(colon + 1));
  if (scheme === 'ssh' || scheme === 'git+ssh' || scheme === 'ssh+git')
    return { url: `${m[1]}://${user ? `${encodeURIComponent(user)}@` : ''}${rest}` };
  const bare = `${m[1]}://${rest}`;
  if (scheme !== 'http' && scheme !== 'https') return { url: bare };
  if (password === undefined) return { url: bare, ...(user ? { credentials: { username: user, password: '' } } : {}) };
  return { url: bare, credentials: { username: user || 'git', password } };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Reads --git-credentials-file: one line `USERNAME:TOKEN`, or a token alone (user name `git`).
 * Refuses a file that its group or others may read, as ssh refuses such a key.
 */
export function readGitCredentialsFile(path: string): GitCredentials {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (cause) {
    throw new GitCredentialsFileError(
      `--git-credentials-file ${path} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'}); give the path of a file the controller can read`,
      { cause },
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new GitCredentialsFileError(
      `--git-credentials-file ${path} is readable by its group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
    );
  }
  let text: string;
  try {
    text = readSecretFile(path, '--git-credentials-file');
  } catch (cause) {
    throw new GitCredentialsFileError(cause instanceof Error ? cause.message : String(cause), { cause });
  }
  const line = text.split('\n')[0]!.trim();
  const colon = line.indexOf(':');
  return colon < 0 ? { username: 'git', password: line } : { username: line.slice(0, colon) || 'git', password: line.slice(colon + 1) };
}

/**
 * What git needs to answer an HTTP login from memory: a credential helper (a shell function in
 * the config, holding no secret) that prints two variables set only in git's own environment.
 * Earlier helpers are reset so git never asks another one, nor stores the credentials.
 */
export function credentialHelper(credentials: GitCredentials | undefined): { args: string[]; env: Record<string, string> } {
  if (!credentials) return { args: [], env: {} };
  const helper =
    '!f() { test "$1" = get || exit 0; cat >/dev/null; printf \'username=%s\\npassword=%s\\n\' "$SPARKCTL_GIT_USERNAME" "$SPARKCTL_GIT_PASSWORD"; }; f';
  return {
    args: ['-c', 'credential.helper=', '-c', `credential.helper=${helper}`],
    env: { SPARKCTL_GIT_USERNAME: credentials.username, SPARKCTL_GIT_PASSWORD: credentials.password },
  };
}
