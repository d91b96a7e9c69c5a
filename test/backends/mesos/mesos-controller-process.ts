/**
 * A controller with the Mesos backend in its own process, for kill -9 tests:
 * `tsx test/backends/mesos/mesos-controller-process.ts JOBS STATE INSTANCE`. The secret comes
 * from MESOS_TEST_SECRET. It prints "ready" once started and runs until killed.
 */
import { join } from 'node:path';
import { createDockerBackend } from '../../../src/backends/docker/create-docker-backend.js';
import { createMesosBackend } from '../../../src/backends/mesos/create-mesos-backend.js';
import { Controller } from '../../../src/controller/controller.js';
import type { MesosHooks } from '../../../src/controller/job-actors.js';
import { createLogger } from '../../../src/logger.js';

const [jobsDir, stateDir, instance] = process.argv.slice(2);
if (!jobsDir || !stateDir || !instance) {
  process.stderr.write('usage: mesos-controller-process.ts JOBS STATE INSTANCE\n');
  process.exit(2);
}
const logger = createLogger({ pretty: false, level: process.env.SPARKCTL_LOG_LEVEL ?? 'warn' });
// As started with --allow-secret-env MESOS_TEST_SECRET.
const policy = { allowHostNetwork: false, allowedHostPaths: [], allowedSecretEnv: ['MESOS_TEST_SECRET'] };
const docker = createDockerBackend({ instance, stopTimeoutSeconds: 1, policy });
let mesos: ReturnType<typeof createMesosBackend> | undefined;
const mesosWith = (hooks: MesosHooks) =>
  (mesos ??= createMesosBackend({
    stateDir: join(stateDir, 'mesos'),
    instance,
    logger,
    heartbeatMarginMs: 500,
    backoff: { initialMs: 100, maxMs: 1000 },
    logPollMs: 200,
    policy,
    singleHost: true,
    ...hooks,
  }));
const controller = new Controller({ jobsDir, stateDir, logger, relistIntervalMs: 500, policy, backends: { docker, mesos: mesosWith } });
await controller.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void controller
    .stop()
    .then(() => mesos?.close())
    .then(() => process.exit(0));
});
