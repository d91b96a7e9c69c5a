import { Composer, Lexer, LineCounter, Parser, type Document } from 'yaml';
import { positionOf } from './manifest-issue.js';
import { MAX_MANIFEST_BYTES, sizeMessage } from './read-limits.js';
import { controlCharacterBreach, YamlLimitScanner, type YamlLimitBreach } from './scan-yaml-limits.js';

/** Options yaml reads a manifest with: YAML 1.2 core schema, duplicate keys are errors. */
export const YAML_PARSE_OPTIONS = { version: '1.2', schema: 'core', uniqueKeys: true, strict: true, prettyErrors: false } as const;
/** Passed to yaml's toJS as a second guard behind the alias-expansion check. */
export const MAX_ALIAS_COUNT = 100;

/** YAML text parsed within the read limits, or the limit it breaks (nothing was built then). */
export type BoundedYaml =
  | { readonly ok: true; readonly docs: Document.Parsed[]; readonly lineCounter: LineCounter }
  | { readonly ok: false; readonly breach: YamlLimitBreach };

/** Thrown out of the token stream when the scanner finds a breach: the parse stops there. */
class Breached {
  constructor(readonly breach: YamlLimitBreach) {}
}

/**
 * The CST tokens of a text, lexed once: each lexer token goes through the limit scanner before
 * the parser sees it, so the parser and the composer never get past the first token that breaks
 * a limit (what they built until then is within the limits).
 */
function* boundedTokens(text: string, parser: Parser, lineCounter: LineCounter) {
  lineCounter.addNewLine(0);
  const scanner = new YamlLimitScanner();
  for (const lexeme of new Lexer().lex(text)) {
    const breach = scanner.token(lexeme);
    if (breach) throw new Breached(breach);
    yield* parser.next(lexeme);
  }
  yield* parser.end();
}

/**
 * The one way sparkctl parses manifest YAML: the size cap, control characters, nesting depth and
 * item and token counts are checked on the text and its lexical tokens as they come (constant
 * memory), so no file, however hostile, costs more than a manifest of a few MiB in memory. One
 * lexer pass serves both the limits and the parse (yaml's parseAllDocuments, token by token).
 */
export function parseYamlBounded(text: string): BoundedYaml {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MANIFEST_BYTES) return { ok: false, breach: { offset: 0, message: sizeMessage(bytes) } };
  const control = controlCharacterBreach(text);
  if (control) return { ok: false, breach: control };
  const lineCounter = new LineCounter();
  try {
    const parser = new Parser(lineCounter.addNewLine);
    const composer = new Composer({ ...YAML_PARSE_OPTIONS, lineCounter });
    const docs = Array.from(composer.compose(boundedTokens(text, parser, lineCounter)));
    return { ok: true, docs, lineCounter };
  } catch (err) {
    if (err instanceof Breached) return { ok: false, breach: err.breach };
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
