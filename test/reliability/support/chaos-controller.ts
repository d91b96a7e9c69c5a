/**
 * A controller in its own process for the reliability suites:
 * `node --import tsx chaos-controller.ts JOBS STATE INSTANCE`. Prints "ready" once started and
 * runs until killed (SIGTERM stops it gracefully). Settings come from the environment:
 * SPARKCTL_TEST_DOCKER_SOCKET (the engine's socket, e.g. a fault proxy),
 * SPARKCTL_TEST_ALLOW_HOST_PATH (one allowed host-path prefix), SPARKCTL_LOG_LEVEL.
 */
import { createDockerBackend } from '../../../src/backends/docker/create-docker-backend.js';
import { Controller } from '../../../src/controller/controller.js';
import { createLogger } from '../../../src/logger.js';

const [jobsDir, stateDir, instance] = process.argv.slice(2);
if (!jobsDir || !stateDir || !instance) {
  process.stderr.write('usage: chaos-controller.ts JOBS STATE INSTANCE\n');
  process.exit(2);
}
const socketPath = process.env.SPARKCTL_TEST_DOCKER_SOCKET;
const hostPath = process.env.SPARKCTL_TEST_ALLOW_HOST_PATH;
const logger = createLogger({ pretty: false, level: process.env.SPARKCTL_LOG_LEVEL ?? 'warn' });
const policy = { allowHostNetwork: false, allowedHostPaths: hostPath ? [hostPath] : [] };
const docker = createDockerBackend({ instance, stopTimeoutSeconds: 1, logger, policy, ...(socketPath ? { socketPath } : {}) });
const controller = new Controller({
  jobsDir,
  stateDir,
  logger,
  relistIntervalMs: 500,
  policy,
  backends: {
    docker,
    mesos: () => {
      throw new Error('no Mesos backend in this process');
    },
  },
});
await controller.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void controller.stop().then(() => process.exit(0));
});
