import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);

/** A Docker engine of a test's own: socket, data-root, exec-root and pidfile in a temp dir. */
export interface PrivateDockerd {
  readonly socketPath: string;
  readonly docker: Docker;
  /** Starts the engine (again, on the same data), resolving once it answers. */
  start(options: { liveRestore: boolean }): Promise<void>;
  /** Stops the engine by the pid this module started (SIGTERM; SIGKILL after 30 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** The engine's output so far, for failure messages. */
  log(): Promise<string>;
  /** Removes every container, stops the engine and its containerd, unmounts and deletes the temp dir. */
  close(): Promise<void>;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Creates a private engine (not started). */
export async function createPrivateDockerd(): Promise<PrivateDockerd> {
  const root = await mkdtemp(join(tmpdir(), 'sparkctl-dockerd-'));
  const socketPath = join(root, 'docker.sock');
  const docker = new Docker({ socketPath });
  let child: ChildProcess | undefined;

  const answers = () =>
    docker
      .ping()
      .then(() => true)
      .catch(() => false);

  const start = async ({ liveRestore }: { liveRestore: boolean }) => {
    const out = await open(join(root, 'dockerd.log'), 'a');
    const args = [
      `--host=unix://${socketPath}`,
      `--data-root=${join(root, 'data')}`,
      `--exec-root=${join(root, 'exec')}`,
      `--pidfile=${join(root, 'dockerd.pid')}`,
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
      '--shutdown-timeout=2',
      ...(liveRestore ? ['--live-restore'] : []),
    ];
    child = spawn('dockerd', args, { stdio: ['ignore', out.fd, out.fd] });
    await out.close();
    const started = child;
    const deadline = Date.now() + 60_000;
    while (!(await answers())) {
      if (exited(started)) throw new Error(`the private dockerd exited (${started.exitCode ?? started.signalCode}):\n${await log()}`);
      if (Date.now() > deadline) throw new Error(`the private dockerd did not answer within 60 s:\n${await log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stop = async () => {
    const running = child;
    if (!running || exited(running)) return;
    const gone = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  };

  const log = () => readFile(join(root, 'dockerd.log'), 'utf8').catch(() => '');

  const close = async () => {
    if (child && !exited(child)) {
      const list = await docker.listContainers({ all: true }).catch(() => []);
      await Promise.all(
        list.map((c) =>
          docker
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
    }
    await stop();
    // The engine's own containerd (started by our dockerd, recorded under our exec-root) may outlive it with live-restore.
    const containerd = Number((await readFile(join(root, 'exec', 'containerd', 'containerd.pid'), 'utf8').catch(() => '')).trim());
    const ours = containerd > 0 && (await readFile(`/proc/${containerd}/cmdline`, 'utf8').catch(() => '')).includes(root);
    if (ours) {
      try {
        process.kill(containerd, 'SIGTERM');
        while (process.kill(containerd, 0)) await new Promise((r) => setTimeout(r, 100));
      } catch {
        // gone
      }
    }
    const mounts = (await readFile('/proc/self/mounts', 'utf8'))
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m === root || m.startsWith(`${root}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };

  return { socketPath, docker, start, stop, log, close };
}

/** Copies a local image into a private engine (`docker save | docker -H … load`). */
export async function loadImage(image: string, engine: PrivateDockerd): Promise<void> {
  await run('bash', ['-o', 'pipefail', '-c', 'docker save "$1" | docker -H "unix://$2" load -q', 'load', image, engine.socketPath]);
}

/**
 * Container `create` events per job label that the engine recorded since it started (its
 * in-memory event log, read to the current time); merge calls made before each stop to count
 * across restarts.
 */
export async function recordedCreates(engine: PrivateDockerd, jobLabel: string, into: Map<string, string>): Promise<void> {
  const stream = (await engine.docker.getEvents({
    since: 0,
    until: Date.now() / 1000,
    filters: JSON.stringify({ type: ['container'], event: ['create'] }),
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const ev = JSON.parse(line) as { id?: string; timeNano?: number; Actor?: { Attributes?: Record<string, string> } };
    into.set(`${ev.id}:${ev.timeNano}`, ev.Actor?.Attributes?.[jobLabel] ?? '?');
  }
}
