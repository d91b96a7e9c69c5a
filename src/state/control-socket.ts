import { randomBytes } from 'node:crypto';
import { chmod, rename, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { ControlSocketError } from './errors.js';

/** The control socket's name in the state dir. */
export const CONTROL_SOCKET = 'control.sock';

/** What the CLI can ask a running controller: `trigger` a schedule's run now, `rerun` a finished job that has no manifest (a run). */
export type ControlRequest =
  | { readonly op: 'info' }
  | { readonly op: 'sync' }
  | { readonly op: 'trigger'; readonly name: string }
  | { readonly op: 'rerun'; readonly name: string };

/** The controller's answer: one JSON line. */
export type ControlReply = { readonly ok: true; readonly info?: unknown } | { readonly ok: false; readonly error: string };

/** A bound control socket; close() removes its path. */
export interface ControlServer {
  close(): Promise<void>;
}

const MAX_REQUEST = 1024;
const SUN_PATH_MAX = 107;

function checkLength(path: string): string {
  if (Buffer.byteLength(path) > SUN_PATH_MAX) {
    throw new ControlSocketError(
      `the control socket path ${path} is longer than a unix socket allows (${SUN_PATH_MAX} bytes): use a shorter --state-dir`,
    );
  }
  return path;
}

/** Names a request may carry: a job or schedule name (a DNS-1123 label), nothing else reaches the handler. */
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const parseRequest = (line: string): ControlRequest | undefined => {
  try {
    const { op, name } = JSON.parse(line) as { op?: unknown; name?: unknown };
    if ((op === 'trigger' || op === 'rerun') && typeof name === 'string' && NAME.test(name)) return { op, name };
    return op === 'info' || op === 'sync' ? { op } : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Binds `control.sock` (mode 0600) in the state dir and answers one JSON request per connection.
 * Only the holder of the state lock may call this: the lock is what makes replacing a socket left
 * by a dead controller safe, so the socket is bound under a temporary name, chmod-ed, then renamed
 * over whatever was there (no window where it is open to others, no unlink race).
 */
export async function serveControl(
  stateDir: string,
  handle: (request: ControlRequest) => Promise<ControlReply> | ControlReply,
): Promise<ControlServer> {
  const path = checkLength(join(stateDir, CONTROL_SOCKET));
  const temp = checkLength(join(stateDir, `control-${randomBytes(4).toString('hex')}.tmp`));
  const server: Server = createServer({ allowHalfOpen: false }, (socket) => {
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('error', () => undefined);
    let buffered = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end < 0 && buffered.length <= MAX_REQUEST) return;
      socket.removeAllListeners('data');
      const request = end < 0 ? undefined : parseRequest(buffered.slice(0, end));
      void Promise.resolve(request ? handle(request) : ({ ok: false, error: 'unknown request' } as const))
        .catch((err: unknown): ControlReply => ({ ok: false, error: err instanceof Error ? err.message : String(err) }))
        .then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(temp, () => {
      server.off('error', reject);
      resolve();
    });
  });
  try {
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (err) {
    await new Promise((r) => server.close(r));
    throw new ControlSocketError(`could not bind the control socket ${path}: ${(err as Error).message}`, { cause: err });
  }
  return {
    close: async () => {
      await unlink(path).catch(() => undefined);
      await new Promise((r) => server.close(r));
    },
  };
}

/** Why a request got no answer: nobody listens (no controller), or one listens but did not answer in time. */
export type NoAnswer = 'none' | 'timeout' | 'unreachable';

/** Sends one request to the controller of a state dir; resolves with its reply, or with why there is none. */
export function requestControl(stateDir: string, request: ControlRequest, timeoutMs = 3_000): Promise<ControlReply | NoAnswer> {
  const path = join(stateDir, CONTROL_SOCKET);
  if (Buffer.byteLength(path) > SUN_PATH_MAX) return Promise.resolve('unreachable');
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let answer = '';
    const done = (result: ControlReply | NoAnswer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'none' : 'unreachable'));
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => {
      try {
        done(JSON.parse(answer) as ControlReply);
      } catch {
        done('unreachable');
      }
    });
  });
}
