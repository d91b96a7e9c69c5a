/**
 * One GitSyncer in its own process (so a test can cap its heap): `tsx sync-child.ts URL ROOT`.
 * Prepares, prints the status as a JSON line, then syncs once more on each line read from stdin.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { GitSyncer } from '../../../src/gitops/git-syncer.js';
import { silentLogger } from '../../../src/logger.js';

const [url, root] = process.argv.slice(2);
const syncer = new GitSyncer({
  url: url!,
  ref: 'main',
  path: 'jobs',
  intervalMs: 600_000,
  prune: false,
  jobsDir: join(root!, 'jobs'),
  stateDir: join(root!, 'state'),
  logger: silentLogger(),
});
const report = (status: unknown) => process.stdout.write(`${JSON.stringify(status)}\n`);
report(await syncer.prepare());
for await (const _line of createInterface({ input: process.stdin })) report(await syncer.syncNow());
await syncer.stop();
