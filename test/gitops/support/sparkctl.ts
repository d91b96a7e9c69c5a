/** The sparkctl CLI straight from source (`tsx test/gitops/support/sparkctl.ts ARGS…`), for tests that run it as a process. */
import { main } from '../../../src/cli/main.js';

process.exitCode = await main(process.argv);
