import { isMap, isScalar, Parser, type Document, type Node } from 'yaml';
import { parseYamlBounded } from './parse-yaml-bounded.js';

/** Where the top-level `status:` block is (or would go) in a manifest's text. */
export type StatusRange =
  | { kind: 'present'; start: number; end: number; indent: number }
  | { kind: 'absent'; insertAt: number; indent: number; needsNewline: boolean }
  /** A manifest written as one flow mapping: status is written in flow style too, in place or before the closing brace. */
  | { kind: 'flow'; start: number; end: number; separator: string }
  | { kind: 'unsupported'; reason: string };

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just past the newline that ends the line holding `offset` (or the end of the text). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

function indentOf(line: string): number {
  return line.length - line.replace(/^ +/, '').length;
}

function docEndMarker(text: string): number | undefined {
  for (const token of new Parser().parse(text)) if (token.type === 'doc-end') return token.offset;
  return undefined;
}

function flowRange(
  text: string,
  items: ReadonlyArray<{ key: unknown; value: unknown }>,
  range: readonly number[] | null | undefined,
): StatusRange {
  const pair = items.find((p) => isScalar(p.key) && p.key.value === 'status');
  const value = pair?.value as Node | null | undefined;
  if (pair && value?.range) return { kind: 'flow', start: value.range[0], end: value.range[1], separator: '' };
  if (pair) return { kind: 'unsupported', reason: 'the status key has no value to replace' };
  const close = (range?.[1] ?? 0) - 1;
  if (text[close] !== '}') return { kind: 'unsupported', reason: 'the flow mapping does not end with }' };
  const before = text.slice(0, close).trimEnd();
  const separator = before.endsWith(',') || before.endsWith('{') ? ' status: ' : ', status: ';
  return { kind: 'flow', start: close, end: close, separator };
}

/**
 * Finds the byte range of the top-level `status:` block: its key line, the line where its value
 * ends, and any following lines indented deeper than the key (trailing blank lines excluded).
 * Comments and blank lines at the key's own indentation belong to the rest of the file.
 * `parsedDoc`, when given, is `text` already parsed (with YAML_PARSE_OPTIONS): it is not parsed again.
 */
export function findStatusRange(text: string, parsedDoc?: Document): StatusRange {
  let doc = parsedDoc;
  if (doc === undefined) {
    const parsed = parseYamlBounded(text);
    if (!parsed.ok) return { kind: 'unsupported', reason: parsed.breach.message };
    if (parsed.docs.length > 1) return { kind: 'unsupported', reason: 'the manifest is not valid YAML (it holds more than one document)' };
    doc = parsed.docs[0];
  }
  if (doc && doc.errors.length > 0) return { kind: 'unsupported', reason: `the manifest is not valid YAML (${doc.errors[0]!.message})` };
  const root = doc?.contents;
  if (!isMap(root)) return { kind: 'unsupported', reason: 'the manifest is not a mapping' };
  if (root.flow) return flowRange(text, root.items, root.range);
  const first = root.items[0]?.key as Node | undefined;
  const rootIndent = first?.range ? first.range[0] - lineStart(text, first.range[0]) : 0;
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'status');
  if (!pair) {
    // The CST is walked for the `...` marker only when the document has one.
    const insertAt = (doc?.directives?.docEnd ? docEndMarker(text) : undefined) ?? text.length;
    const needsNewline = insertAt > 0 && text[insertAt - 1] !== '\n';
    return { kind: 'absent', insertAt, indent: rootIndent, needsNewline };
  }
  const key = pair.key as Node;
  const keyStart = key.range![0];
  const start = lineStart(text, keyStart);
  if (text.slice(start, keyStart).trim() !== '') return { kind: 'unsupported', reason: 'the status key does not start its line' };
  const indent = keyStart - start;
  const value = pair.value as Node | null;
  const valueEnd = Math.max(value?.range?.[1] ?? key.range![1], key.range![1]);
  let end = lineEnd(text, Math.max(valueEnd - 1, keyStart));
  // A block scalar's range takes the blank lines after it; they stay with the rest of the file.
  const firstLineEnd = lineEnd(text, keyStart);
  while (end > firstLineEnd) {
    const previous = lineStart(text, end - 1);
    if (text.slice(previous, end).trim() !== '') break;
    end = previous;
  }
  for (let cursor = end; cursor < text.length;) {
    const next = lineEnd(text, cursor);
    const line = text.slice(cursor, next).replace(/\r?\n$/, '');
    if (line.trim() !== '') {
      if (indentOf(line) <= indent) break;
      end = next;
    }
    cursor = next;
  }
  return { kind: 'present', start, end, indent };
}
