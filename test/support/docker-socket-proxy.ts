import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_SOCKET } from './docker.js';

/** A unix-socket proxy in front of the Docker engine that a test can cut and restore. */
export interface DockerSocketProxy {
  /** The proxy's socket path: give it to the backend as `socketPath`. */
  readonly socketPath: string;
  /** Drops every open connection and stops listening: the engine looks gone (ENOENT on connect). */
  cut(): Promise<void>;
  /** Listens again; new connections reach the engine. */
  restore(): Promise<void>;
  /** Connections proxied so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts a proxy to the shared engine, so faults never touch the real dockerd other tests use. */
export async function startDockerSocketProxy(target = DOCKER_SOCKET): Promise<DockerSocketProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'sparkctl-dproxy-'));
  const socketPath = join(dir, 'docker.sock');
  const open = new Set<Socket>();
  let count = 0;
  let server: Server | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        count += 1;
        const upstream = createConnection(target);
        open.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          open.delete(client);
          open.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      s.once('error', reject);
      s.listen(socketPath, () => {
        server = s;
        resolve();
      });
    });
  const stop = async () => {
    const s = server;
    server = undefined;
    for (const sock of open) sock.destroy();
    open.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    socketPath,
    cut: stop,
    restore: async () => {
      if (!server) await listen();
    },
    get connections() {
      return count;
    },
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
