import { createHash } from 'node:crypto';
import type { SparkJobSpec } from '../api/spark-job.js';
import { keyedDigest, type HashKey } from '../secrets/hash-key.js';
import { SECRET_MASK } from '../secrets/redact.js';

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

/** Whether a spec carries secret values (env entries marked `secret: true`), whose hash then needs the key. */
export function hasSecretValues(spec: SparkJobSpec): boolean {
  return spec.driver.env.some((e) => e.secret);
}

/** The spec with each secret value replaced by its HMAC under the key, or by the mask when there is no key. */
function withSecretsDigested(spec: SparkJobSpec, key: HashKey | undefined): SparkJobSpec {
  if (!hasSecretValues(spec)) return spec;
  const env = spec.driver.env.map((e) =>
    e.secret ? { ...e, value: key ? `hmac-sha256:${keyedDigest(key, 'spec-secret', e.value)}` : SECRET_MASK } : e,
  );
  return { ...spec, driver: { ...spec.driver, env } };
}

/**
 * A stable hash of a parsed spec (defaults applied): formatting, comments, key order and
 * writing a default out explicitly do not change it; status and metadata are not part of it.
 * Secret values enter it only as an HMAC under the controller's key (so the hash, shown in
 * status, labels and task ids, cannot be brute-forced back to a short secret); without a key
 * they do not enter it at all. A spec without secrets hashes the same with or without a key.
 */
export function specHash(spec: SparkJobSpec, key?: HashKey): string {
  return createHash('sha256')
    .update(canonicalJson(withSecretsDigested(spec, key)))
    .digest('hex')
    .slice(0, SPEC_HASH_LENGTH);
}
