import { spawn } from 'node:child_process';
import { credentialHelper, type GitCredentials } from './git-credentials.js';
import { GitCommandError, type SyncFailureReason } from './errors.js';
import { redactText } from './redact-url.js';

/** How long one git command may take by default before its process group is killed (--git-timeout). */
export const DEFAULT_GIT_TIMEOUT_MS = 60_000;

/** What every git command of one sync shares: its time limit, the stop signal, the remote and its login. */
export interface GitContext {
  readonly timeoutMs: number;
  /** Aborts the command (the controller is stopping): its whole process group is killed. */
  readonly signal?: AbortSignal;
  /** The remote as shown in messages (userinfo hidden). */
  readonly remote: string;
  /** Called before each command, so a rotated --git-credentials-file is read again. */
  readonly credentials?: () => GitCredentials | undefined;
}

/** Options of one git run. */
export interface RunGitOptions {
  /** The reason recorded when this command fails (auth failures are recognised on their own). */
  readonly failure: SyncFailureReason;
  readonly env?: Readonly<Record<string, string>>;
  readonly context?: GitContext;
}

const AUTH_FAILURE =
  /authentication failed|could not read (username|password)|terminal prompts disabled|permission denied \(publickey|returned error: 40[13]|access denied|invalid credentials/i;
const NETWORK_OPS = new Set(['fetch', 'push', 'ls-remote', 'clone']);
const MAX_OUTPUT = 64 * 1024 * 1024;
const KILL_GRACE_MS = 2_000;

/** The git sub-command of an argv (`fetch` in `--git-dir X -c k=v fetch …`). */
function operationOf(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--git-dir' || a === '--work-tree' || a === '-c' || a === '-C') i++;
    else if (!a.startsWith('-')) return a;
  }
  return 'command';
}

/**
 * Runs the system git with an argv (never a shell), no stdin and no terminal prompts, as the
 * leader of its own process group: on timeout or abort the whole group (git and its remote
 * helpers) is killed, and the promise settles only once every one of them closed git's output.
 * Credentials reach git through a credential helper and its environment, never argv. Rejects
 * with a GitCommandError carrying git's whole stderr (userinfo and credentials hidden).
 */
export function runGit(args: readonly string[], options: RunGitOptions): Promise<string> {
  const context = options.context;
  const op = operationOf(args);
  // Only commands that talk to the remote get the login (and read a rotated credentials file).
  let credentials: GitCredentials | undefined;
  try {
    credentials = NETWORK_OPS.has(op) ? context?.credentials?.() : undefined;
  } catch (err) {
    return Promise.reject(new GitCommandError('AuthFailed', err instanceof Error ? err.message : String(err), { cause: err }));
  }
  const helper = credentialHelper(credentials);
  // The password is masked wherever git might echo it; short ones are left alone (masking them would garble the text).
  const secret = credentials && credentials.password.length >= 4 ? credentials.password : undefined;
  const clean = (text: string) => (secret ? redactText(text).split(secret).join('***') : redactText(text));
  const what = `git ${op}${NETWORK_OPS.has(op) && context ? ` ${op === 'push' ? 'to' : 'from'} ${context.remote}` : ''}`;
  const timeoutMs = context?.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    if (context?.signal?.aborted) {
      reject(new GitCommandError(options.failure, `${what} was not started: the controller is stopping`));
      return;
    }
    const child = spawn('git', [...helper.args, ...args], {
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...helper.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let ended: 'timeout' | 'abort' | undefined;
    let forced: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // The group is gone already.
      }
    };
    const stop = (why: 'timeout' | 'abort') => {
      if (ended) return;
      ended = why;
      killGroup('SIGTERM');
      forced = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = () => stop('abort');
    context?.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.length > MAX_OUTPUT) stop('timeout');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 1024 * 1024) stderr += d;
    });
    const done = () => {
      clearTimeout(timer);
      clearTimeout(forced);
      context?.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      done();
      if (err.code === 'ENOENT')
        reject(new GitCommandError('GitUnavailable', 'git is not installed or not on PATH: install git to use --git', { cause: err }));
      else reject(new GitCommandError(options.failure, `${what} could not start: ${clean(err.message)}`, { cause: err }));
    });
    // 'close' waits for every holder of git's output pipes, its helpers included.
    child.on('close', (code, signal) => {
      done();
      // After a kill, whatever of the group is left (a helper that closed its output but lingers) goes too.
      if (ended) killGroup('SIGKILL');
      if (!ended && code === 0) {
        resolve(stdout);
        return;
      }
      const said = clean(stderr.trim()).split('\n').slice(-20).join('\n');
      if (ended === 'timeout') {
        reject(
          new GitCommandError(
            options.failure,
            `${what} timed out after ${formatSeconds(timeoutMs)}${said ? `: ${said}` : ''}; check the remote, or raise --git-timeout`,
          ),
        );
        return;
      }
      if (ended === 'abort') {
        reject(new GitCommandError(options.failure, `${what} was stopped: the controller is stopping`));
        return;
      }
      const reason: SyncFailureReason = AUTH_FAILURE.test(said) ? 'AuthFailed' : options.failure;
      reject(
        new GitCommandError(reason, said || `${what} failed (${signal ?? `exit ${code}`})`, {
          cause: new Error(`${what} exited with ${signal ?? code}`),
        }),
      );
    });
  });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
