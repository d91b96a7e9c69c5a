import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { positionOf } from './manifest-issue.js';
import { MAX_MANIFEST_BYTES, sizeMessage } from './read-limits.js';
import { scanYamlLimits, type YamlLimitBreach } from './scan-yaml-limits.js';

/** Options yaml reads a manifest with: YAML 1.2 core schema, duplicate keys are errors. */
export const YAML_PARSE_OPTIONS = { version: '1.2', schema: 'core', uniqueKeys: true, strict: true, prettyErrors: false } as const;
/** Passed to yaml's toJS as a second guard behind the alias-expansion check. */
export const MAX_ALIAS_COUNT = 100;

/** YAML text parsed within the read limits, or the limit it breaks (nothing was built then). */
export type BoundedYaml =
  | { readonly ok: true; readonly docs: Document.Parsed[]; readonly lineCounter: LineCounter }
  | { readonly ok: false; readonly breach: YamlLimitBreach };

/**
 * The one way sparkctl parses manifest YAML: the size cap, nesting depth and item count are
 * checked on the text first (constant memory), so no file, however hostile, costs more than a
 * manifest of a few MiB in memory.
 */
export function parseYamlBounded(text: string): BoundedYaml {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MANIFEST_BYTES) return { ok: false, breach: { offset: 0, message: sizeMessage(bytes) } };
  const breach = scanYamlLimits(text);
  if (breach) return { ok: false, breach };
  const lineCounter = new LineCounter();
  try {
    const parsed = parseAllDocuments(text, { ...YAML_PARSE_OPTIONS, lineCounter });
    return { ok: true, docs: Array.isArray(parsed) ? parsed : [], lineCounter };
  } catch (err) {
    // A last guard (say, a stack overflow on a shape the scan did not foresee): still an error with a position, never a crash.
    return {
      ok: false,
      breach: {
        offset: 0,
        message: `cannot parse the document (${err instanceof Error ? err.message : String(err)}): simplify its structure`,
      },
    };
  }
}

/** The 1-based line and column of a breach, for error lines. */
export function breachPosition(text: string, breach: YamlLimitBreach): { line: number; col: number } {
  return positionOf(text, breach.offset);
}

/** Best effort, for readers that only look: the single error-free document of a text within the limits. */
export function parseDocumentBounded(text: string): Document.Parsed | undefined {
  const parsed = parseYamlBounded(text);
  if (!parsed.ok || parsed.docs.length !== 1) return undefined;
  const doc = parsed.docs[0]!;
  return doc.errors.length === 0 ? doc : undefined;
}

/** Best effort: a text's single document as plain data, or undefined (over the limits, invalid YAML, too many aliases). */
export function parsePlainBounded(text: string): unknown {
  try {
    return parseDocumentBounded(text)?.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch {
    return undefined;
  }
}
