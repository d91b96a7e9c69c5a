import { z } from 'zod';
import { SparkJobStatusSchema } from '../api/status.js';
import { JournalFormatError } from './errors.js';
import type { JobEventRecord, JobRecord } from './journal-paths.js';

/**
 * The version of the journal's file formats (job.json, events.jsonl). A record written by a newer
 * or older incompatible sparkctl is refused instead of misread; its job starts afresh.
 * Records written before versions existed carry none and are read as version 1.
 */
export const JOURNAL_VERSION = 1;

const JobRecordSchema = z.object({
  version: z.literal(JOURNAL_VERSION).optional(),
  name: z.string().min(1),
  file: z.string().min(1),
  snapshot: z.unknown().optional(),
  status: SparkJobStatusSchema,
  updatedAt: z.string(),
  run: z.object({ schedule: z.string().min(1), scheduledAt: z.string(), manual: z.boolean().optional(), spec: z.unknown() }).optional(),
});

const JobEventSchema = z.object({
  time: z.string(),
  type: z.enum(['Normal', 'Warning']),
  reason: z.string(),
  message: z.string(),
  attempt: z.number().int().positive().optional(),
});

/** Reads a job.json's text; throws JournalFormatError naming the file for an unknown version or a malformed record. */
export function parseJobRecord(text: string, path: string): JobRecord {
  const value: unknown = JSON.parse(text);
  const version = (value as { version?: unknown } | null)?.version;
  if (version !== undefined && version !== JOURNAL_VERSION) {
    throw new JournalFormatError(
      `${path} has journal version ${JSON.stringify(version)}; this sparkctl reads version ${JOURNAL_VERSION}: the job starts afresh`,
      'JournalVersionUnknown',
    );
  }
  const parsed = JobRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JournalFormatError(
      `${path} is not a job record (${issue?.path.join('.') || 'record'}: ${issue?.message}): the job starts afresh`,
      'JournalUnreadable',
    );
  }
  return parsed.data as JobRecord;
}

/** Reads one events.jsonl line; undefined for a torn or malformed line (skipped). */
export function parseJobEvent(line: string): JobEventRecord | undefined {
  try {
    const parsed = JobEventSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
