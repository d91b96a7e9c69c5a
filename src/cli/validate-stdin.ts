import { escapeLines } from '../escape-text.js';
import { kindPrefix, readApplyInput } from './read-apply-input.js';

/**
 * `sparkctl validate -`: checks the SparkJobs and ScheduledSparkJobs on stdin (one manifest, several `---` documents or a
 * SparkJobList) as `apply -f -` reads them; problems as `<stdin>:line:col: field: message`.
 * Exit 0 all valid, 1 any invalid, 2 nothing to check.
 */
export async function validateStdin(opts: { quiet: boolean }): Promise<number> {
  const input = await readApplyInput(['-']);
  const out = (line: string) => process.stdout.write(`${escapeLines(line)}\n`);
  if (input.items.length === 0 && input.errors.length === 0) {
    process.stderr.write('sparkctl validate: no SparkJob or ScheduledSparkJob found on stdin\n');
    return 2;
  }
  for (const line of input.errors) out(line);
  if (!opts.quiet) for (const item of input.items) out(`${item.source}: ${kindPrefix(item.kind)}/${item.name} valid`);
  const invalid = new Set(input.errors.map((e) => /^(.*?):\d+:\d+:/.exec(e)?.[1] ?? e)).size;
  if (!opts.quiet || invalid > 0) out(`stdin checked: ${input.items.length} valid, ${invalid} invalid`);
  return invalid > 0 ? 1 : 0;
}
