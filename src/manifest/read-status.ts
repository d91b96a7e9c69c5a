import { isMap, type Document } from 'yaml';
import { SparkJobStatusSchema, type SparkJobStatus } from '../api/status.js';
import { MAX_ALIAS_COUNT } from './parse-manifest.js';

/**
 * The `status:` block of a parsed manifest, when it is one the controller could have written;
 * undefined when absent or not a valid status (users cannot set status, so it is never an error).
 */
export function readStatusFromDoc(doc: Document): SparkJobStatus | undefined {
  if (!isMap(doc.contents)) return undefined;
  const node = doc.contents.get('status', true);
  if (node === undefined) return undefined;
  try {
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    const status = (value as { status?: unknown }).status;
    const parsed = SparkJobStatusSchema.safeParse(status);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
