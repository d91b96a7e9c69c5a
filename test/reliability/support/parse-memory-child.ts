/**
 * Parses one manifest file and reports how far its peak RSS rose above the idle RSS:
 * `node --import tsx --max-old-space-size=128 parse-memory-child.ts FILE` prints one JSON line.
 * The kernel's high-water mark is reset (`/proc/self/clear_refs`) right before the parse.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatIssue } from '../../../src/manifest/manifest-issue.js';
import { parseManifestBytes } from '../../../src/manifest/parse-manifest.js';
import { fakeJob } from '../../support/controller-harness.js';

const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))![1]);

const bytes = readFileSync(process.argv[2]!);
parseManifestBytes(Buffer.from(fakeJob('warm-up')), 'warm-up.yaml');
writeFileSync('/proc/self/clear_refs', '5');
const idle = kib('VmRSS');
const result = parseManifestBytes(bytes, 'big.yaml');
const peak = kib('VmHWM');
process.stdout.write(
  `${JSON.stringify({ ok: result.ok, errors: result.ok ? [] : result.errors.slice(0, 3).map(formatIssue), errorCount: result.ok ? 0 : result.errors.length, aboveIdleMiB: (peak - idle) / 1024 })}\n`,
);
