/**
 * Runs an emulated master as its own process, for a CLI run or a benchmark against it:
 *   npx tsx test/support/mesos-emulator/serve.ts '{"agents":[{"cpus":2,"mem":4096}],"heartbeatIntervalSeconds":1}'
 * Prints one JSON line `{"url":…,"port":…,"agentIds":[…]}` once listening; SIGINT/SIGTERM close it
 * (its task containers are removed).
 */
import { startMesosMaster } from './start.js';
import type { EmulatorOptions } from './types.js';

const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
const master = await startMesosMaster(options);
process.stdout.write(`${JSON.stringify({ url: master.url, port: master.port, agentIds: master.agentIds })}\n`);
const stop = (): void => {
  void master.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
