import { isMap, isSeq, type Document } from 'yaml';
import type { z } from 'zod';
import { SCHEDULED_KIND, ScheduledSparkJobSchema, type ScheduledSparkJob } from '../api/scheduled-spark-job.js';
import { SparkJobSchema, type SparkJob, type SparkJobSpec } from '../api/spark-job.js';
import { checkYamlSafety } from './check-yaml-safety.js';
import { ManifestReadError } from './errors.js';
import { issueAt, positionOf, type ManifestIssue } from './manifest-issue.js';
import { MAX_ALIAS_COUNT, parseYamlBounded } from './parse-yaml-bounded.js';
import { oversizeMessage, readNamedManifest, type ManifestRead } from './read-manifest-file.js';
import { checkBinary, checkSize, decodeManifest } from './read-limits.js';
import { specHash } from './spec-hash.js';
import { looseSecretValues } from '../secrets/redact.js';
import { zodIssuesToManifestIssues } from './zod-issues.js';

export { MAX_ALIAS_COUNT, YAML_PARSE_OPTIONS } from './parse-yaml-bounded.js';

/**
 * A manifest that parsed and validated: the job (defaults applied), its spec hash (secret values left out: no key here; computed
 * on first access) and the source it came from.
 */
export interface ParsedManifest {
  ok: true;
  kind: 'SparkJob';
  job: SparkJob;
  specHash: string;
  doc: Document;
  text: string;
}

/** A ScheduledSparkJob manifest that parsed and validated (defaults applied); its runs are SparkJobs made from `spec.template`. */
export interface ParsedScheduleManifest {
  ok: true;
  kind: typeof SCHEDULED_KIND;
  schedule: ScheduledSparkJob;
  job?: undefined;
  /** The spec hash of its template (what each run would run). */
  specHash: string;
  doc: Document;
  text: string;
}

/** A manifest that did not: every problem found, each with file, line and column. */
export interface InvalidManifest {
  ok: false;
  errors: ManifestIssue[];
  /** The values of env entries marked secret, when the document could be read: whoever shows the errors masks them. */
  secrets?: string[];
  /**
   * The document as plain data when it is YAML within the read limits (for a best-effort name
   * or status of a file that did not validate, without parsing it again).
   */
  value?: unknown;
  /** The parsed document, when `value` is set (so an Invalid status can be written without parsing again). */
  doc?: Document;
}

export type ManifestParseResult = ParsedManifest | ParsedScheduleManifest | InvalidManifest;

/** The metadata.name of a manifest that validated, whatever its kind. */
export const parsedName = (parsed: ParsedManifest | ParsedScheduleManifest): string =>
  parsed.kind === 'SparkJob' ? parsed.job.metadata.name : parsed.schedule.metadata.name;

/** Fixes to add to yaml's own messages, by its error code. */
const YAML_HINTS: Partial<Record<string, string>> = {
  DUPLICATE_KEY: 'remove or merge the repeated key',
  TAB_AS_INDENT: 'indent with spaces',
};

const invalid = (errors: ManifestIssue[], parsed?: { value: unknown; doc: Document; secrets?: string[] }): InvalidManifest => ({
  ok: false,
  errors: [...errors].sort((a, b) => a.line - b.line || a.col - b.col),
  ...(parsed === undefined ? {} : parsed),
});

/**
 * Adds `specHash`, computed when first read: the controller hashes specs with its own key, so a
 * parse need not compute a canonical JSON and a sha256 it never uses. The getter holds only the
 * spec (which the result holds anyway), not the parse's intermediate values.
 */
function withLazySpecHash<T extends object>(fields: T, spec: SparkJobSpec): T & { readonly specHash: string } {
  let hash: string | undefined;
  return Object.defineProperty(fields, 'specHash', { get: () => (hash ??= specHash(spec)), enumerable: true }) as T & {
    readonly specHash: string;
  };
}

/** Parses and validates manifest text; `file` is the name used in error lines. */
export function parseManifestText(text: string, file: string): ManifestParseResult {
  const limit = checkSize(file, Buffer.byteLength(text, 'utf8')) ?? checkBinary(file, text);
  if (limit) return invalid([limit]);
  const parsed = parseYamlBounded(text);
  if (!parsed.ok) return invalid([{ file, ...positionOf(text, parsed.breach.offset), path: '', message: parsed.breach.message }]);
  const { docs, lineCounter } = parsed;
  const doc = docs[0];
  if (doc === undefined)
    return invalid([{ file, line: 1, col: 1, path: '', message: 'file has no SparkJob: it is empty or only comments' }]);
  const at = (offset: number, message: string, path = ''): ManifestIssue => issueAt(file, lineCounter, offset, path, message);

  const errors = doc.errors.map((e) => {
    const hint = YAML_HINTS[e.code];
    return at(e.pos[0], `invalid YAML: ${e.message}${hint ? `: ${hint}` : ''}`);
  });
  for (const extra of docs.slice(1)) {
    errors.push(at(extra.range[0], 'a manifest holds exactly one SparkJob: this starts a second document; move it to a file of its own'));
  }
  if (errors.length > 0) return invalid(errors);

  if (!isMap(doc.contents)) {
    const kind = isSeq(doc.contents) ? 'a list' : 'a single value';
    const offset = doc.contents?.range?.[0] ?? 0;
    return invalid([at(offset, `a manifest must be a mapping with apiVersion, kind, metadata and spec, not ${kind}`)]);
  }
  const unsafe = checkYamlSafety(doc, text, file, lineCounter);
  if (unsafe.length > 0) return invalid(unsafe);

  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return invalid([at(0, `cannot expand the document: ${err instanceof Error ? err.message : String(err)}`)]);
  }
  const refuse = (issues: z.core.$ZodIssue[], schema: z.ZodType): InvalidManifest => {
    const secrets = looseSecretValues(input);
    return invalid(zodIssuesToManifestIssues(issues, { schema, input, doc, lineCounter, file }), {
      value: input,
      doc,
      ...(secrets.length > 0 ? { secrets } : {}),
    });
  };
  if ((input as { kind?: unknown }).kind === SCHEDULED_KIND) {
    const scheduled = ScheduledSparkJobSchema.safeParse(input);
    if (!scheduled.success) return refuse(scheduled.error.issues, ScheduledSparkJobSchema);
    return withLazySpecHash({ ok: true, kind: SCHEDULED_KIND, schedule: scheduled.data, doc, text }, scheduled.data.spec.template);
  }
  const result = SparkJobSchema.safeParse(input);
  if (!result.success) return refuse(result.error.issues, SparkJobSchema);
  return withLazySpecHash({ ok: true, kind: 'SparkJob', job: result.data, doc, text }, result.data.spec);
}

/** Parses and validates manifest bytes: size cap, strict UTF-8, then the text checks. */
export function parseManifestBytes(bytes: Uint8Array, file: string): ManifestParseResult {
  const decoded = decodeManifest(file, bytes);
  return 'issue' in decoded ? invalid([decoded.issue]) : parseManifestText(decoded.text, file);
}

/** Parses what readManifestFile read: a file cut at the size cap is reported by its size, never parsed. */
export function parseManifestRead(read: Extract<ManifestRead, { kind: 'file' }>, file: string): ManifestParseResult {
  if (!read.truncated) return parseManifestBytes(read.bytes, file);
  return invalid([{ file, line: 1, col: 1, path: '', message: oversizeMessage(read) }]);
}

/** Reads (regular files only, at most the size cap), parses and validates a manifest file; errors name it as `displayName`. */
export async function parseManifestFile(path: string, displayName: string = path): Promise<ManifestParseResult> {
  let read: ManifestRead;
  try {
    read = await readNamedManifest(path, displayName);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ManifestReadError(`cannot read manifest ${displayName} (${code}): check that the file exists and is readable`, {
      cause: err,
    });
  }
  if (read.kind === 'gone') throw new ManifestReadError(`cannot read manifest ${displayName}: it does not exist or is a directory`);
  if (read.kind === 'refused') return invalid([{ file: displayName, line: 1, col: 1, path: '', message: read.reason }]);
  return parseManifestRead(read, displayName);
}
