import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A running test server on loopback. */
export interface LoopbackServer {
  readonly port: number;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function untilAccepting(port: number, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`git daemon exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => (sock.destroy(), resolve(true)));
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `git daemon` serving every repository under `base` over git:// on loopback (push allowed). */
export async function startGitDaemon(base: string): Promise<LoopbackServer> {
  const port = await freePort();
  const child = spawn(
    'git',
    ['daemon', '--reuseaddr', `--base-path=${base}`, '--export-all', '--enable=receive-pack', '--listen=127.0.0.1', `--port=${port}`, base],
    { stdio: 'ignore', detached: true },
  );
  await untilAccepting(port, child);
  return {
    port,
    close: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await gone;
    },
  };
}

/** Options of the smart-HTTP server. */
export interface SmartHttpOptions {
  /** The folder of the bare repositories (GIT_PROJECT_ROOT). */
  readonly root: string;
  readonly username: string;
  readonly password: string;
  /** Called for each authenticated request before git answers it; the answer waits for the promise. */
  readonly beforeAnswer?: (req: IncomingMessage) => Promise<void>;
}

/** Smart HTTP: `git http-backend` behind a node server that demands Basic auth (401 otherwise), as a real host does. */
export async function startSmartHttp(options: SmartHttpOptions): Promise<LoopbackServer & { requests: string[] }> {
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    void answer(req, res).catch(() => res.destroy());
  });
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jobs"' }).end('login required\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}`);
    await options.beforeAnswer?.(req);
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: options.root,
        GIT_HTTP_EXPORT_ALL: '1',
        REMOTE_USER: options.username,
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let sent = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (sent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const key = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      sent = true;
      res.write(head.subarray(end + 4));
    });
    cgi.stdout.on('end', () => res.end());
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A server that accepts connections and never answers: a hung remote. */
export async function startBlackHole(): Promise<LoopbackServer & { accepted: () => number; nextAccept: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let waiters: (() => void)[] = [];
  const server: Server = createTcpServer((s) => {
    accepted++;
    for (const w of waiters) w();
    waiters = [];
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    nextAccept: () => new Promise<void>((r) => waiters.push(r)),
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** The processes whose command line contains `text` (read from /proc, as `ps` shows them to any user). */
export async function processesMentioning(text: string): Promise<{ pid: number; cmdline: string }[]> {
  const out: { pid: number; cmdline: string }[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) out.push({ pid: Number(name), cmdline: cmdline.split('\0').join(' ').trim() });
  }
  return out;
}
