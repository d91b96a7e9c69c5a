import { isDeepStrictEqual } from 'node:util';
import type { Document } from 'yaml';
import type { SparkJobStatus } from '../api/status.js';
import { StatusWriteError } from './errors.js';
import { findStatusRange } from './find-status-range.js';
import { MAX_ALIAS_COUNT, parsePlainBounded } from './parse-yaml-bounded.js';
import { renderStatusBlock, renderStatusFlow } from './render-status.js';

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
 * Returns the manifest text with its top-level `status:` block replaced (or appended), every
 * other byte unchanged. Throws StatusWriteError when the file's layout does not allow that, or
 * when the result would read back differently anywhere but in `status`. `parsedDoc`, when
 * given, is `text` already parsed: only the result is parsed (to check it).
 */
export function applyStatus(text: string, status: SparkJobStatus, file = 'manifest', parsedDoc?: Document): string {
  const range = findStatusRange(text, parsedDoc);
  if (range.kind === 'unsupported') throw new StatusWriteError(`cannot write status into ${file}: ${range.reason}`);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let next: string;
  if (range.kind === 'present') {
    let block = renderStatusBlock(status, range.indent, eol);
    if (!text.slice(range.start, range.end).endsWith('\n')) block = block.slice(0, -eol.length);
    next = text.slice(0, range.start) + block + text.slice(range.end);
  } else if (range.kind === 'flow') {
    next = text.slice(0, range.start) + range.separator + renderStatusFlow(status) + text.slice(range.end);
  } else {
    const block = (range.needsNewline ? eol : '') + renderStatusBlock(status, range.indent, eol);
    next = text.slice(0, range.insertAt) + block + text.slice(range.insertAt);
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
