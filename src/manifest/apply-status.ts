import { isDeepStrictEqual } from 'node:util';
import type { Document } from 'yaml';
import type { SparkJobStatus } from '../api/status.js';
import { StatusWriteError } from './errors.js';
import { findStatusRange } from './find-status-range.js';
import { MAX_ALIAS_COUNT, parsePlainBounded } from './parse-yaml-bounded.js';
import { renderStatusBlockExact, renderStatusFlow } from './render-status.js';

function toPlain(text: string, doc?: Document): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = doc ? (doc.errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })) : parsePlainBounded(text);
  } catch {
    value = undefined;
  }
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/**
 * Whether the result can be checked on the rendered block alone: the caller parsed `text`, the
 * block goes at the very end (only blank lines follow it), the text before it ends with a line
 * break and declares no YAML directive. The text before the block is then a byte-identical prefix
 * that a new top-level key after it cannot reinterpret (it ends every open block, and nothing
 * before can refer to an anchor after), so parsing the block alone tells what the whole reads as.
 */
function checkBlockAlone(text: string, parsedDoc: Document | undefined, blockStart: number, blockEnd: number): boolean {
  if (parsedDoc === undefined || parsedDoc.errors.length > 0) return false;
  if (blockStart > 0 && text[blockStart - 1] !== '\n') return false;
  if (text.slice(blockEnd).trim() !== '') return false;
  return !/^%/m.test(text.slice(0, blockStart));
}

/**
 * Returns the manifest text with its top-level `status:` block replaced (or appended), every
 * other byte unchanged. Throws StatusWriteError when the file's layout does not allow that, or
 * when the result would read back differently anywhere but in `status`. `parsedDoc`, when
 * given, is `text` already parsed: only the result is parsed (to check it), and when the block
 * goes at the end of the file only the block (checkBlockAlone).
 */
export function applyStatus(text: string, status: SparkJobStatus, file = 'manifest', parsedDoc?: Document): string {
  const range = findStatusRange(text, parsedDoc);
  if (range.kind === 'unsupported') throw new StatusWriteError(`cannot write status into ${file}: ${range.reason}`);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let next: string;
  let alone: string | undefined;
  const rendered = range.kind === 'flow' ? undefined : renderStatusBlockExact(status, range.indent, eol);
  if (range.kind === 'present') {
    let block = rendered!.text;
    if (!text.slice(range.start, range.end).endsWith('\n')) block = block.slice(0, -eol.length);
    next = text.slice(0, range.start) + block + text.slice(range.end);
    if (checkBlockAlone(text, parsedDoc, range.start, range.end)) alone = block;
  } else if (range.kind === 'flow') {
    next = text.slice(0, range.start) + range.separator + renderStatusFlow(status) + text.slice(range.end);
  } else {
    const block = (range.needsNewline ? eol : '') + rendered!.text;
    next = text.slice(0, range.insertAt) + block + text.slice(range.insertAt);
    if (!range.needsNewline && checkBlockAlone(text, parsedDoc, range.insertAt, range.insertAt)) alone = block;
  }
  if (alone !== undefined) {
    // The rest of the file is unchanged bytes: only the block needs reading back, and not even
    // that when the direct renderer wrote it (it reads back as the status by construction).
    if (rendered?.exact) return next;
    const read = toPlain(alone);
    if (read && Object.keys(read).length === 1 && isDeepStrictEqual(read.status, JSON.parse(JSON.stringify(status)))) return next;
  }
  const before = toPlain(text, parsedDoc);
  const after = toPlain(next);
  const { status: _old, ...restBefore } = before ?? {};
  const { status: written, ...restAfter } = after ?? {};
  if (!after || !isDeepStrictEqual(restBefore, restAfter) || !isDeepStrictEqual(written, JSON.parse(JSON.stringify(status)))) {
    throw new StatusWriteError(
      `cannot write status into ${file} without changing other content (an anchor or alias may cross the status block): keep status a plain block at the end of the file`,
    );
  }
  return next;
}
