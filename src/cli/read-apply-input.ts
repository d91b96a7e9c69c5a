import { relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { SCHEDULED_KIND } from '../api/scheduled-spark-job.js';
import type { SparkJobSpec } from '../api/spark-job.js';
import { findManifestFiles } from '../manifest/find-manifest-files.js';
import { formatIssue, positionOf } from '../manifest/manifest-issue.js';
import { MAX_ALIAS_COUNT, parseManifestRead, parseManifestText } from '../manifest/parse-manifest.js';
import { parseYamlBounded } from '../manifest/parse-yaml-bounded.js';
import { readManifestFile } from '../manifest/read-manifest-file.js';
import { decodeManifest, MAX_MANIFEST_BYTES, sizeMessage } from '../manifest/read-limits.js';
import { findStatusRange } from '../manifest/find-status-range.js';
import { CliUsageError } from './errors.js';
import { LIST_KIND } from './printers/job-object.js';

/** One SparkJob or ScheduledSparkJob taken from `apply` input: validated, with the text to write. */
export interface ApplyItem {
  /** Where it came from, as error lines name it. */
  readonly source: string;
  readonly kind: 'SparkJob' | typeof SCHEDULED_KIND;
  /** metadata.name (one name space for both kinds). */
  readonly name: string;
  /** What a driver would run: the job's spec, or the schedule's template (its secret env values are masked in diffs). */
  readonly spec: SparkJobSpec;
  /** The manifest as written, without status. */
  readonly raw: Record<string, unknown>;
  /** The file content to write (the user's text where possible; status removed). */
  readonly text: string;
}

/** The kind as `-o name` and apply's output write it: `sparkjob/NAME`, `scheduledsparkjob/NAME`. */
export const kindPrefix = (kind: ApplyItem['kind']): string => kind.toLowerCase();

/** What the input held: valid items and every problem as a `file:line:col: path: message` line. */
export interface ApplyInput {
  readonly items: ApplyItem[];
  readonly errors: string[];
}

const isList = (v: unknown): v is { items: unknown[] } =>
  v !== null &&
  typeof v === 'object' &&
  ((v as { kind?: unknown }).kind === LIST_KIND || (v as { kind?: unknown }).kind === 'List') &&
  Array.isArray((v as { items?: unknown }).items);

function withoutStatus(value: unknown): Record<string, unknown> {
  const { status: _s, ...rest } = value as Record<string, unknown>;
  return rest;
}

/** The text to write: the user's block-style text minus its status, else the object rendered as YAML. */
function textToWrite(text: string, raw: Record<string, unknown>): string {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    const range = findStatusRange(text);
    if (range.kind === 'absent') return text;
    if (range.kind === 'present') {
      const next = text.slice(0, range.start) + text.slice(range.end);
      const check = parseYamlBounded(next);
      const value = check.ok && check.docs.length === 1 ? (check.docs[0]!.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown) : undefined;
      if (isDeepStrictEqual(value, raw)) return next;
    }
  }
  return stringify(raw, { lineWidth: 0 });
}

function validateOne(source: string, text: string, padded: string, out: ApplyInput): void {
  const parsed = parseManifestText(padded, source);
  if (!parsed.ok) {
    out.errors.push(...parsed.errors.map(formatIssue));
    return;
  }
  const raw = withoutStatus(parsed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  const what =
    parsed.kind === 'SparkJob'
      ? { kind: parsed.kind, name: parsed.job.metadata.name, spec: parsed.job.spec }
      : { kind: parsed.kind, name: parsed.schedule.metadata.name, spec: parsed.schedule.spec.template };
  out.items.push({ source, ...what, raw, text: textToWrite(text, raw) });
}

/** Splits one input text (file or stdin) into manifests: one, several `---` documents, or a SparkJobList (of either kind). */
export function readApplyText(text: string, source: string, out: ApplyInput): void {
  // The read limits (size, nesting depth, item count) hold for the whole input before anything is built.
  const bounded = parseYamlBounded(text);
  if (!bounded.ok) {
    const { line, col } = positionOf(text, bounded.breach.offset);
    out.errors.push(formatIssue({ file: source, line, col, path: '', message: bounded.breach.message }));
    return;
  }
  const list = bounded.docs;
  if (list.length <= 1 || list.some((d) => d.errors.length > 0)) {
    let value: unknown;
    try {
      value = list.length === 1 && list[0]!.errors.length === 0 ? list[0]!.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) : undefined;
    } catch {
      value = undefined;
    }
    if (list.length > 1 || !isList(value)) {
      validateOne(source, text, text, out);
      return;
    }
    value.items.forEach((item, i) => {
      const itemText = item !== null && typeof item === 'object' ? stringify(withoutStatus(item), { lineWidth: 0 }) : stringify(item);
      validateOne(`${source}#items.${i}`, itemText, itemText, out);
    });
    return;
  }
  list.forEach((doc, i) => {
    const [start, , end] = doc.range;
    const body = text.slice(start, end);
    const padded = '\n'.repeat(text.slice(0, start).split('\n').length - 1) + body;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      value = undefined;
    }
    if (isList(value)) readApplyText(body, `${source}#${i}`, out);
    else validateOne(source, body, padded, out);
  });
}

/** Reads stdin up to the size cap (one byte past it is enough to refuse it): `apply -f - < /dev/zero` ends at once. */
async function readStdin(): Promise<{ text: string } | { error: string }> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length > MAX_MANIFEST_BYTES) {
      process.stdin.destroy();
      return { error: `<stdin>:1:1: ${sizeMessage(length, true)}` };
    }
  }
  const decoded = decodeManifest('<stdin>', Buffer.concat(chunks));
  return 'issue' in decoded ? { error: formatIssue(decoded.issue) } : decoded;
}

/** Reads every `-f` argument (files, folders searched for .yaml/.yml, or `-` for stdin) into SparkJobs and ScheduledSparkJobs. */
export async function readApplyInput(paths: readonly string[]): Promise<ApplyInput> {
  const out: ApplyInput = { items: [], errors: [] };
  for (const path of paths) {
    if (path === '-') {
      const input = await readStdin();
      if ('error' in input) out.errors.push(input.error);
      else readApplyText(input.text, '<stdin>', out);
      continue;
    }
    const { files, missing } = await findManifestFiles([path]);
    if (missing.length > 0) throw new CliUsageError(`-f ${path}: no such file or directory`);
    if (files.length === 0) throw new CliUsageError(`-f ${path}: no manifests (.yaml, .yml) found there`);
    for (const file of files) {
      const rel = relative(process.cwd(), file.path);
      const name = rel !== '' && !rel.startsWith('..') ? rel : file.path;
      // The controller's reader: regular files inside the folder only, never more than the size cap.
      const read = await readManifestFile(file.root, file.rel, name);
      if (read.kind !== 'file') {
        out.errors.push(
          `${name}:1:1: ${read.kind === 'refused' ? `refused: ${read.reason}` : 'the file disappeared while it was being read'}`,
        );
        continue;
      }
      const decoded = read.truncated ? undefined : decodeManifest(name, read.bytes);
      if (decoded === undefined || 'issue' in decoded) {
        const result = parseManifestRead(read, name);
        if (!result.ok) out.errors.push(...result.errors.map(formatIssue));
        continue;
      }
      readApplyText(decoded.text, name, out);
    }
  }
  return out;
}
