/**
 * A controller in its own process, for crash tests: `tsx test/support/controller-process.ts
 * JOBS STATE INSTANCE`. It prints "ready" once started and runs until killed.
 */
import { createDockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import { Controller } from '../../src/controller/controller.js';
import { createLogger } from '../../src/logger.js';

const [jobsDir, stateDir, instance] = process.argv.slice(2);
if (!jobsDir || !stateDir || !instance) {
  process.stderr.write('usage: controller-process.ts JOBS STATE INSTANCE\n');
  process.exit(2);
}
const logger = createLogger({ pretty: false, level: process.env.SPARKCTL_LOG_LEVEL ?? 'warn' });
const docker = createDockerBackend({ instance, stopTimeoutSeconds: 1 });
const controller = new Controller({
  jobsDir,
  stateDir,
  logger,
  relistIntervalMs: 500,
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
