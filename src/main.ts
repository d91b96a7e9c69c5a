import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from './backends/ports.js';
import { detectAdvertiseAddress } from './backends/advertise-address.js';
import { createDockerBackend } from './backends/docker/create-docker-backend.js';
import { createMesosBackend } from './backends/mesos/create-mesos-backend.js';
import { Controller } from './controller/controller.js';
import { createControllerMetrics } from './controller/metrics.js';
import { serveHealth, type HealthServer } from './controller/serve-health.js';
import { preparePolicy, type Policy } from './policy/policy.js';
import { prepareGitSync, type GitSyncConfig, type RunningGitSync } from './gitops/start-git-sync.js';
import { createLogger, type Logger } from './logger.js';
import { createDashboard } from './web/dashboard.js';

/** Everything `sparkctl controller` needs, already validated by the CLI. */
export interface ControllerConfig {
  readonly jobsDir: string;
  readonly stateDir: string;
  readonly workers: number;
  readonly exitWhenIdle: boolean;
  readonly relistIntervalMs: number;
  /** `--missing-grace`: how long a job whose manifest vanished or stopped parsing keeps running. */
  readonly missingGraceMs?: number;
  readonly policy: Policy;
  readonly metricsAddr?: string;
  readonly dockerSocket?: string;
  /** Where client-mode Mesos drivers are called back (--advertise-address); default: detected from this host's interfaces. */
  readonly advertiseAddress?: string;
  readonly logger?: Logger;
  /** Mesos settings: --mesos-user, --mesos-single-host, --mesos-unreachable-grace. */
  readonly mesos?: { readonly user?: string; readonly singleHost?: boolean; readonly unreachableGraceMs?: number };
  /** With --git: the repository the jobs folder is synced from (the --jobs path becomes a link sparkctl manages). */
  readonly git?: GitSyncConfig;
}

/** A short id for this controller, stable across restarts: it marks the drivers it owns. */
export function instanceId(stateDir: string): string {
  return createHash('sha256').update(stateDir).digest('hex').slice(0, 10);
}

/** Composition root: builds the real adapters and runs the controller until a signal or idle. */
export async function runController(config: ControllerConfig): Promise<number> {
  const logger = config.logger ?? createLogger();
  const instance = instanceId(config.stateDir);
  await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
  const advertiseAddress = config.advertiseAddress ?? detectAdvertiseAddress();
  logger.info(
    { advertiseAddress, detected: config.advertiseAddress === undefined },
    'Chose the address client-mode Mesos drivers advertise',
  );
  // One policy for the controller's check and the backends' check at launch, prefixes resolved once.
  const policy = await preparePolicy(config.policy);
  const docker = createDockerBackend({
    instance,
    logger,
    advertiseAddress,
    policy,
    ...(config.dockerSocket ? { socketPath: config.dockerSocket } : {}),
  });
  let mesos: Backend | undefined;
  const metrics = config.metricsAddr ? createControllerMetrics() : undefined;
  const controller = new Controller({
    jobsDir: config.jobsDir,
    stateDir: config.stateDir,
    workers: config.workers,
    relistIntervalMs: config.relistIntervalMs,
    ...(config.missingGraceMs !== undefined ? { missingGraceMs: config.missingGraceMs } : {}),
    policy,
    logger,
    ...(config.metricsAddr ? { metricsAddr: config.metricsAddr } : {}),
    ...(metrics ? { onPhase: metrics.onPhase, onReconcile: metrics.onReconcile } : {}),
    backends: {
      docker,
      // Orphan reporting covers Mesos as it covers Docker: the hooks give the backend the tasks the journal
      // records, and report a sparkctl task nobody here owns (logged, a Warning event on its job, left alone).
      mesos: (hooks) =>
        (mesos ??= createMesosBackend({
          stateDir: join(config.stateDir, 'mesos'),
          instance,
          logger,
          policy,
          ...config.mesos,
          ...hooks,
        })),
    },
  });
  // Signal handlers come first: a SIGHUP or SIGTERM during start-up is handled, never fatal.
  let running = false;
  // SIGHUP, and `sparkctl sync` over the control socket (state-lock.ts hands it to these same
  // listeners in-process): sync from git now, or relist a plain jobs folder (start-up syncs and lists anyway).
  const onHangup = () => {
    if (running) void (gitSync ? gitSync.requestSync() : controller.relist());
  };
  process.on('SIGHUP', onHangup);
  let finish: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => {
    finish = resolve;
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'Received signal; shutting down');
      resolve(0);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  // With --git: take over the jobs path without waiting for the remote; the first sync runs in the background.
  const gitSync: RunningGitSync | undefined = config.git
    ? await prepareGitSync(config.git, { jobsDir: config.jobsDir, stateDir: config.stateDir, logger })
    : undefined;
  await controller.start();
  let started = true;
  let health: HealthServer | undefined;
  const dashboard = config.metricsAddr ? createDashboard({ jobsDir: config.jobsDir, stateDir: config.stateDir }) : undefined;
  if (metrics && config.metricsAddr) {
    metrics.attach(controller);
    try {
      health = await serveHealth({
        addr: config.metricsAddr,
        explicit: true,
        registry: metrics.registry,
        isStarted: () => started,
        stateDir: config.stateDir,
        journalProblem: () => controller.journalProblem(),
        pingEngine: (signal) => docker.connect(undefined, { signal }),
        logger,
        ...(dashboard ? { routes: dashboard.handle } : {}),
      });
    } catch (err) {
      await controller.stop();
      await docker.close();
      throw err;
    }
  }
  // With --exit-when-idle and --git, idle counts only once the first sync attempt is over.
  const firstSync = gitSync ? gitSync.start(() => controller.relist()) : Promise.resolve();
  running = true;
  if (config.exitWhenIdle) void firstSync.then(() => controller.whenIdle()).then(() => finish(0));
  const code = await stopped;
  started = false;
  process.off('SIGHUP', onHangup);
  await gitSync?.stop();
  await controller.stop();
  await docker.close();
  await mesos?.close();
  dashboard?.close();
  await health?.close();
  return code;
}
