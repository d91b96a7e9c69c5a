import { readFile, stat } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { SparkJobSchema, type SparkJob } from '../api/spark-job.js';
import { checkYamlSafety } from './check-yaml-safety.js';
import { ManifestReadError } from './errors.js';
import { issueAt, type ManifestIssue } from './manifest-issue.js';
import { checkBinary, checkSize, decodeManifest, MAX_MANIFEST_BYTES } from './read-limits.js';
import { specHash } from './spec-hash.js';
import { looseSecretValues } from '../secrets/redact.js';
import { zodIssuesToManifestIssues } from './zod-issues.js';

/** A manifest that parsed and validated: the job (defaults applied), its spec hash (secret values left out: no key here) and the source it came from. */
export interface ParsedManifest {
  ok: true;
  job: SparkJob;
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
}

export type ManifestParseResult = ParsedManifest | InvalidManifest;

/** Options yaml reads a manifest with: YAML 1.2 core schema, duplicate keys are errors. */
export const YAML_PARSE_OPTIONS = { version: '1.2', schema: 'core', uniqueKeys: true, strict: true, prettyErrors: false } as const;
/** Passed to yaml's toJS as a second guard behind the alias-expansion check. */
export const MAX_ALIAS_COUNT = 100;

/** Fixes to add to yaml's own messages, by its error code. */
const YAML_HINTS: Partial<Record<string, string>> = {
  DUPLICATE_KEY: 'remove or merge the repeated key',
  TAB_AS_INDENT: 'indent with spaces',
};

const invalid = (errors: ManifestIssue[]): InvalidManifest => ({
  ok: false,
  errors: [...errors].sort((a, b) => a.line - b.line || a.col - b.col),
});

/** Parses and validates manifest text; `file` is the name used in error lines. */
export function parseManifestText(text: string, file: string): ManifestParseResult {
  const limit = checkSize(file, Buffer.byteLength(text, 'utf8')) ?? checkBinary(file, text);
  if (limit) return invalid([limit]);
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { ...YAML_PARSE_OPTIONS, lineCounter });
  const docs = Array.isArray(parsed) ? parsed : [];
  const doc = docs[0];
  if (doc === undefined) return invalid([{ file, line: 1, col: 1, path: '', message: 'file has no SparkJob: it is empty or only comments' }]);
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
  const result = SparkJobSchema.safeParse(input);
  if (!result.success) {
    const secrets = looseSecretValues(input);
    return { ...invalid(zodIssuesToManifestIssues(result.error.issues, { schema: SparkJobSchema, input, doc, lineCounter, file })), ...(secrets.length > 0 ? { secrets } : {}) };
  }
  return { ok: true, job: result.data, specHash: specHash(result.data.spec), doc, text };
}

/** Parses and validates manifest bytes: size cap, strict UTF-8, then the text checks. */
export function parseManifestBytes(bytes: Uint8Array, file: string): ManifestParseResult {
  const decoded = decodeManifest(file, bytes);
  return 'issue' in decoded ? invalid([decoded.issue]) : parseManifestText(decoded.text, file);
}

/** Reads, parses and validates a manifest file; errors name the file as `displayName` (default: the path). */
export async function parseManifestFile(path: string, displayName: string = path): Promise<ManifestParseResult> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new ManifestReadError(`${displayName} is a directory, not a manifest file`);
    if (info.size > MAX_MANIFEST_BYTES) return invalid([checkSize(displayName, info.size)!]);
    return parseManifestBytes(await readFile(path), displayName);
  } catch (err) {
    if (err instanceof ManifestReadError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ManifestReadError(`cannot read manifest ${displayName} (${code}): check that the file exists and is readable`, { cause: err });
  }
}
