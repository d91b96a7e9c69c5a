import { mkdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../fs/write-file-atomic.js';
import { duplicateNameStatus } from '../../manifest/check-unique-names.js';
import { applyStatus } from '../../manifest/apply-status.js';
import { parseDocumentBounded } from '../../manifest/parse-yaml-bounded.js';
import { readManifestFile } from '../../manifest/read-manifest-file.js';
import { decodeManifest } from '../../manifest/read-limits.js';
import { readStatusFromDoc } from '../../manifest/read-status.js';
import { cliContext, write, type CliContext } from '../cli-context.js';
import { ApplyInvalidError, CliUsageError } from '../errors.js';
import { loadJobViews, type JobView } from '../find-job.js';
import { restoreSecrets, SECRET_MASK } from '../printers/mask-secrets.js';
import { readApplyInput, type ApplyItem } from '../read-apply-input.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

/** What apply did with one job. */
export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

const collect = (v: string, prev: string[]) => [...prev, v];

/** The text of the file a job goes to, read with the controller's rules; undefined when there is none yet. */
async function existingText(ctx: CliContext, file: string): Promise<string | undefined> {
  const read = await readManifestFile(await realpath(ctx.jobsDir), file);
  if (read.kind === 'gone') return undefined;
  if (read.kind === 'refused') throw new ApplyInvalidError(`cannot apply over ${join(ctx.jobsDir, file)}: ${read.reason}; remove it first`);
  if (read.truncated) return '';
  const decoded = decodeManifest(file, read.bytes);
  return 'issue' in decoded ? '' : decoded.text;
}

/** The file a job goes to: the file already holding that name, else `<jobs>/<name>.yaml`. */
function targetFile(ctx: CliContext, name: string, views: readonly JobView[]): string {
  const owner = views.find((v) => v.name === name && v.file !== undefined && v.duplicateOf === undefined && v.job) ?? views.find((v) => v.name === name && v.file !== undefined);
  if (owner?.file) return owner.file;
  const file = `${name}.yaml`;
  const other = views.find((v) => v.file === file);
  if (other) throw new CliUsageError(`${join(ctx.jobsDir, file)} already holds SparkJob "${other.name}"; rename that file before applying "${name}"`);
  return file;
}

/** Writes one validated job into the jobs folder, keeping the status an existing file carries. */
async function applyOne(ctx: CliContext, item: ApplyItem, file: string): Promise<ApplyOutcome> {
  const path = join(ctx.jobsDir, file);
  const current = await existingText(ctx, file);
  // Parsed within the read limits only: an oversized, binary or deep file is replaced without being parsed.
  const doc = current === undefined ? undefined : parseDocumentBounded(current);
  const currentRaw = doc?.toJS() as Record<string, unknown> | undefined;
  const { status: _s, ...currentWithoutStatus } = currentRaw ?? {};
  const raw = structuredClone(item.raw);
  const masked = restoreSecrets(raw, currentWithoutStatus);
  if (masked.length > 0) {
    throw new ApplyInvalidError(`${item.source}: spec.driver.env ${masked.join(', ')} of SparkJob "${item.job.metadata.name}" carries the masked value ${SECRET_MASK}; give the real value`);
  }
  let text = isDeepStrictEqual(raw, item.raw) ? item.text : stringify(raw, { lineWidth: 0 });
  if (current !== undefined && isDeepStrictEqual(currentWithoutStatus, raw)) return 'unchanged';
  const status = doc ? readStatusFromDoc(doc) : undefined;
  if (status) text = applyStatus(text, status, path);
  const mode = current === undefined ? 0o644 : (await stat(path)).mode & 0o777;
  await writeFileAtomic(path, text, { mode });
  return current === undefined ? 'created' : 'configured';
}

/** `sparkctl apply -f FILE|DIR|-`: validates SparkJobs, then writes them into the jobs folder (create or update). */
export function registerApply(program: Command, setExit: SetExit): void {
  program
    .command('apply')
    .description('Validate SparkJobs, then write them into the jobs folder (create, or update keeping status)')
    .requiredOption('-f, --filename <path>', 'a manifest file, a folder of them, or - for stdin (repeatable)', collect, [])
    .addHelpText(
      'after',
      '\nInput may be one manifest, several separated by ---, or a SparkJobList (as `get -o json` prints).\nInvalid input is refused as a whole, with `file:line:col: field: message` lines (exit 1).\n\nExamples:\n  sparkctl apply -f spark-pi.yaml\n  sparkctl apply -f ./jobs/\n  sparkctl get -o json | sparkctl apply -f -\n',
    )
    .action((opts: { filename: string[] }, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        if (opts.filename.length === 0) throw new CliUsageError('apply needs -f FILE, -f DIR or -f -');
        const input = await readApplyInput(opts.filename);
        const errors = [...input.errors];
        const seen = new Map<string, string>();
        for (const item of input.items) {
          const name = item.job.metadata.name;
          const first = seen.get(name);
          if (first) errors.push(`${item.source}: ${duplicateNameStatus(name, first)}`);
          else seen.set(name, item.source);
        }
        if (errors.length > 0) throw new ApplyInvalidError(`invalid input, nothing applied:\n${errors.join('\n')}`);
        if (input.items.length === 0) throw new CliUsageError('no SparkJob found in the input');
        await mkdir(ctx.jobsDir, { recursive: true });
        const views = await loadJobViews(ctx);
        const targets = input.items.map((item) => targetFile(ctx, item.job.metadata.name, views));
        for (const [i, item] of input.items.entries()) {
          const outcome = await applyOne(ctx, item, targets[i]!);
          await write(ctx, `sparkjob/${item.job.metadata.name} ${outcome}\n`);
        }
        return 0;
      }),
    );
}
