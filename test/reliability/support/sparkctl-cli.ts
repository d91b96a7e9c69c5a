/**
 * The sparkctl CLI from source, for tests that need it in its own process (signals, ports):
 * `node --import tsx test/reliability/support/sparkctl-cli.ts ARGS…`.
 */
import { main } from '../../../src/cli/main.js';

process.exitCode = await main(process.argv);
