import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Phase, SparkJobStatus } from '../../src/api/status.js';
import { createDockerBackend, type DockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import type { Backend } from '../../src/backends/ports.js';
import type { Policy } from '../../src/policy/policy.js';
import { Controller } from '../../src/controller/controller.js';
import type { MesosHooks } from '../../src/controller/job-actors.js';
import { silentLogger } from '../../src/logger.js';
import { removeInstanceContainers, uniqueId } from './docker.js';

/** A temp jobs folder and state dir with a controller on the real Docker engine. */
export interface Harness {
  readonly jobsDir: string;
  readonly stateDir: string;
  readonly instance: string;
  controller: Controller;
  docker: DockerBackend;
  /** Writes a manifest file into the jobs folder. */
  write(file: string, text: string): Promise<void>;
  /** Starts (or restarts) a controller over the same folders. */
  start(): Promise<Controller>;
  /** Tears everything down and removes the instance's containers. */
  close(): Promise<void>;
}

/** Options of a harness. */
export interface HarnessOptions {
  readonly capacity?: { cpus: number; memMiB: number };
  readonly policy?: Policy;
  /** Creates the Mesos backend; pass `hooks` on to have orphan reporting cover it (as main.ts does). */
  readonly mesos?: (hooks: MesosHooks) => Backend;
  readonly relistIntervalMs?: number;
  readonly missingGraceMs?: number;
}

/** Creates the folders and a first controller (not started). */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'sparkctl-ctl-'));
  const jobsDir = join(root, 'jobs');
  const stateDir = join(root, 'state');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(jobsDir);
  const instance = uniqueId('c');
  const build = () => {
    const docker = createDockerBackend({
      instance,
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.capacity ? { capacity: options.capacity } : {}),
      stopTimeoutSeconds: 1,
    });
    const controller = new Controller({
      jobsDir,
      stateDir,
      logger: silentLogger(),
      workers: 4,
      relistIntervalMs: options.relistIntervalMs ?? 1_000,
      ...(options.missingGraceMs !== undefined ? { missingGraceMs: options.missingGraceMs } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
      backends: {
        docker,
        mesos:
          options.mesos ??
          (() => {
            throw new Error('no Mesos backend in this test');
          }),
      },
    });
    return { docker, controller };
  };
  const first = build();
  const h: Harness = {
    jobsDir,
    stateDir,
    instance,
    controller: first.controller,
    docker: first.docker,
    write: (file, text) => writeFile(join(jobsDir, file), text),
    start: async () => {
      const next = build();
      h.controller = next.controller;
      h.docker = next.docker;
      await h.controller.start();
      return h.controller;
    },
    close: async () => {
      await h.controller.stop().catch(() => undefined);
      await h.docker.close().catch(() => undefined);
      await removeInstanceContainers(instance);
      await rm(root, { recursive: true, force: true });
    },
  };
  return h;
}

/** Reads the `status:` a manifest file carries now. */
export async function readFileStatus(path: string): Promise<SparkJobStatus | undefined> {
  try {
    const doc = parseDocument(await readFile(path, 'utf8'));
    return (doc.toJS() as { status?: SparkJobStatus } | null)?.status;
  } catch {
    return undefined;
  }
}

/** Polls a manifest until its status satisfies `until` (the status file is the controller's real output). */
export async function waitForStatus(path: string, until: (s: SparkJobStatus) => boolean, timeoutMs = 30_000): Promise<SparkJobStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: SparkJobStatus | undefined;
  while (Date.now() < deadline) {
    last = await readFileStatus(path);
    if (last && until(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting on ${path}; last status: ${JSON.stringify(last)}`);
}

/**
 * A backend for jobs that must never reach it (suspended, never started): only the controller's
 * start-up orphan check may call it, and it lists no drivers; any other call throws naming `who`.
 */
export function idleBackend(who: string): Backend {
  return new Proxy({} as Backend, {
    get: (_, key) =>
      key === 'listDrivers'
        ? () => Promise.resolve([])
        : key === 'then'
          ? undefined
          : () => {
              throw new Error(`${who} called the backend (${String(key)})`);
            },
  });
}

/** A predicate on the phase. */
export const phaseIs =
  (...phases: Phase[]) =>
  (s: SparkJobStatus) =>
    phases.includes(s.phase);

/** A SparkJob manifest on the fake Spark image. */
export function fakeJob(name: string, extra = ''): string {
  return `# a test job
apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata:
  name: ${name}
spec:
  image: sparkctl/spark-fake:test
  imagePullPolicy: Never
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  mainClass: org.apache.spark.examples.SparkPi
  arguments: ["10"]
  driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}
${extra}`;
}
