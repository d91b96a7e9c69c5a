import { relative } from 'node:path';
import type { Command } from 'commander';
import { checkUniqueNames } from '../../manifest/check-unique-names.js';
import { findManifestFiles, MAX_FOLDER_DEPTH } from '../../manifest/find-manifest-files.js';
import { formatIssue, type ManifestIssue } from '../../manifest/manifest-issue.js';
import { parseManifestRead, type ParsedManifest, type ParsedScheduleManifest } from '../../manifest/parse-manifest.js';
import { readManifestFile } from '../../manifest/read-manifest-file.js';
import { escapeLines } from '../../escape-text.js';
import { validateStdin } from '../validate-stdin.js';
import type { SetExit } from './index.js';

// Reports quote manifest content and file names: control and bidi characters are shown escaped.
const out = (line: string) => process.stdout.write(`${escapeLines(line)}\n`);
const err = (line: string) => process.stderr.write(`${escapeLines(line)}\n`);

/** A path as the user will recognise it: relative to the working directory when inside it. */
function displayName(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}

/** Validates files and folders of manifests; exit 0 all valid, 1 any invalid, 2 usage error. */
export async function validatePaths(paths: readonly string[], opts: { quiet: boolean }): Promise<number> {
  const { files, missing, tooDeep } = await findManifestFiles(paths);
  for (const path of missing) err(`sparkctl validate: ${path}: no such file or directory`);
  if (missing.length > 0) return 2;
  if (files.length === 0 && tooDeep.length === 0) {
    err(`sparkctl validate: no manifests (.yaml, .yml) found in ${paths.join(', ')}`);
    return 2;
  }
  const issues = new Map<string, ManifestIssue[]>();
  const parsed: Array<{ file: string; parsed: ParsedManifest | ParsedScheduleManifest }> = [];
  for (const { root, rel, path } of files) {
    const file = displayName(path);
    const fileIssue = (message: string) => issues.set(file, [{ file, line: 1, col: 1, path: '', message }]);
    try {
      // The controller's reader: regular files inside the folder only, never more than the size cap.
      const read = await readManifestFile(root, rel, file);
      if (read.kind === 'file') {
        const result = parseManifestRead(read, file);
        if (result.ok) parsed.push({ file, parsed: result });
        else issues.set(file, result.errors);
      } else fileIssue(read.kind === 'refused' ? `refused: ${read.reason}` : 'the file disappeared while it was being checked');
    } catch (e) {
      fileIssue(e instanceof Error ? e.message : String(e));
    }
  }
  for (const issue of checkUniqueNames(parsed)) issues.set(issue.file, [...(issues.get(issue.file) ?? []), issue]);
  // The controller reads no deeper than it watches: such a file would never run, so it is not valid.
  const deep = tooDeep.map((path) => ({ path }));
  for (const { path } of deep) {
    const file = displayName(path);
    issues.set(file, [
      {
        file,
        line: 1,
        col: 1,
        path: '',
        message: `more than ${MAX_FOLDER_DEPTH} folders deep: the controller does not read manifests below that depth; move it up`,
      },
    ]);
  }
  for (const { path } of [...files, ...deep]) {
    const file = displayName(path);
    const found = issues.get(file);
    if (found) for (const issue of found) out(formatIssue(issue));
    else if (!opts.quiet) out(`${file}: valid`);
  }
  const invalid = issues.size;
  if (!opts.quiet || invalid > 0) {
    const total = files.length + deep.length;
    out(`${total} manifest${total === 1 ? '' : 's'} checked: ${total - invalid} valid, ${invalid} invalid`);
  }
  return invalid > 0 ? 1 : 0;
}

/** `sparkctl validate PATH…`: checks manifests without running anything. */
export function registerValidate(program: Command, setExit: SetExit): void {
  program
    .command('validate')
    .description('Check SparkJob and ScheduledSparkJob manifests (files, or folders searched for .yaml/.yml) and print every problem')
    .argument('<paths...>', 'manifest files or folders, or - for stdin')
    .option('-q, --quiet', 'print only problems', false)
    .addHelpText(
      'after',
      `
Each problem is printed as file:line:col: field.path: message.
Exit status: 0 all valid, 1 a manifest is invalid, 2 usage error (no path, a path that does not exist).

Example:
  sparkctl validate manifests/
  sparkctl validate jobs/spark-pi.yaml jobs/etl/
  cat spark-pi.yaml | sparkctl validate -
`,
    )
    .action(async (paths: string[], opts: { quiet: boolean }) => {
      // `-` reads stdin, as `apply -f -` does.
      const files = paths.filter((p) => p !== '-');
      const stdin = files.length < paths.length ? await validateStdin(opts) : 0;
      setExit(Math.max(stdin, files.length > 0 ? await validatePaths(files, opts) : 0));
    });
}
