import { createHash } from 'node:crypto';
import type { SparkJobSpec } from '../api/spark-job.js';

/** Hex characters kept from the sha256 of a spec: short enough to show, long enough to never collide in practice. */
export const SPEC_HASH_LENGTH = 16;

/** JSON with object keys sorted at every level and undefined members dropped: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * A stable hash of a parsed spec (defaults applied): formatting, comments, key order and
 * writing a default out explicitly do not change it; status and metadata are not part of it.
 */
export function specHash(spec: SparkJobSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, SPEC_HASH_LENGTH);
}
