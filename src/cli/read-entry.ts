import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SparkJobStatusSchema, type SparkJobStatus } from '../api/status.js';
import { looseName } from '../manifest/loose-identity.js';
import { MAX_ALIAS_COUNT, parseManifestRead, type ManifestParseResult } from '../manifest/parse-manifest.js';
import { readManifestFile } from '../manifest/read-manifest-file.js';
import type { FileEntry } from './lazy-entries.js';

/**
 * The manifest as written without its status, and the status the controller wrote back into it (when valid), from the one parse of the
 * file.
 */
function rawManifest(parsed: ManifestParseResult): {
  manifest?: Record<string, unknown>;
  fileStatus?: SparkJobStatus;
  rawStatus?: unknown;
} {
  let value: unknown;
  try {
    value = parsed.ok ? parsed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) : parsed.value;
  } catch {
    return {};
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const { status, ...rest } = value as Record<string, unknown>;
  const fileStatus = status === undefined ? undefined : SparkJobStatusSchema.safeParse(status);
  return { manifest: rest, rawStatus: status, ...(fileStatus?.success ? { fileStatus: fileStatus.data } : {}) };
}

/**
 * Reads one listed manifest with the controller's reader (regular files inside the folder, size cap); links and special files are skipped.
 */
export async function readEntry(root: string, file: string): Promise<FileEntry | undefined> {
  let read;
  let mtime: string | undefined;
  try {
    [read, mtime] = await Promise.all([readManifestFile(root, file), stat(join(root, file)).then((s) => s.mtime.toISOString())]);
  } catch {
    return undefined;
  }
  if (read.kind !== 'file') return undefined;
  const parsed = parseManifestRead(read, file);
  const { manifest, fileStatus, rawStatus } = rawManifest(parsed);
  if (parsed.ok && parsed.kind !== 'SparkJob')
    return { file, manifest, name: parsed.schedule.metadata.name, named: true, schedule: parsed.schedule, rawStatus };
  const loose = parsed.ok ? parsed.job.metadata.name : looseName(manifest);
  const name = loose ?? basename(file);
  const named = loose !== undefined;
  return parsed.ok
    ? { file, manifest, job: parsed.job, name, named, mtime, ...(fileStatus ? { fileStatus } : {}) }
    : { file, manifest, issues: parsed.errors, name, named, mtime };
}
