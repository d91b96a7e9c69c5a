/**
 * `sparkctl controller` in a child process for the benchmarks: the real composition root
 * (runController) over JOBS and STATE, logging at info to stderr. It answers 'sample' IPC
 * messages with its own RSS and CPU time, and stops on SIGTERM like the real command.
 */
import { DEFAULT_POLICY } from '../../src/policy/policy.js';
import { runController } from '../../src/main.js';

const [jobsDir, stateDir, workers = '4'] = process.argv.slice(2);
if (!jobsDir || !stateDir || !process.send) {
  process.stderr.write('usage: controller-child.ts JOBS STATE [WORKERS] (with an IPC channel)\n');
  process.exit(2);
}
process.on('message', (m: unknown) => {
  if (m === 'sample')
    process.send?.({
      type: 'sample',
      rss: process.memoryUsage.rss(),
      peakRss: process.resourceUsage().maxRSS * 1024,
      heapUsed: process.memoryUsage().heapUsed,
      cpu: process.cpuUsage(),
    });
});
process.send({ type: 'loaded' });
const code = await runController({
  jobsDir,
  stateDir,
  workers: Number(workers),
  exitWhenIdle: false,
  relistIntervalMs: 30_000,
  policy: DEFAULT_POLICY,
  mesos: { singleHost: true },
});
process.exit(code);
