import { Cron } from 'croner';
import { z } from 'zod';
import { API_VERSION, DNS1123_LABEL, MetadataSchema, SparkJobSpecSchema } from './spark-job.js';

/** The kind of a schedule manifest (same apiVersion as SparkJob). */
export const SCHEDULED_KIND = 'ScheduledSparkJob';

/**
 * Longest schedule name: each run is `<name>-<scheduled unix time>` (10 digits) and must still
 * be a 63-character DNS-1123 label, as a SparkJob name is.
 */
export const MAX_SCHEDULE_NAME = 52;

/** What the next run does when the previous one still runs (Kubernetes CronJob's policies). */
export const ConcurrencyPolicySchema = z.enum(['Allow', 'Forbid', 'Replace']);

/** Whether an IANA time zone name is known to this runtime's Intl data. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** How a valid schedule looks, appended to every refusal. */
const CRON_HINT =
  'write it as minute hour day month weekday, e.g. "0 2 * * *" (02:00 daily), "*/30 * * * * *" (every 30 seconds) or "@hourly"';

/** Why a cron expression is refused, or undefined when croner accepts it (5 fields, 6 with seconds first, @nicknames). */
export function cronProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (!schedule.trim().startsWith('@') && fields.length !== 5 && fields.length !== 6) {
    return `schedule must have 5 fields (minute hour day month weekday) or 6 with seconds first, or be @hourly, @daily, @weekly, @monthly or @yearly; got ${fields.length} fields: ${CRON_HINT}`;
  }
  try {
    new Cron(schedule, { paused: true });
    return undefined;
  } catch (e) {
    return `schedule is not a valid cron expression (${e instanceof Error ? e.message : String(e)}): ${CRON_HINT}`;
  }
}

export const ScheduledSparkJobSpecSchema = z
  .strictObject({
    schedule: z.string().min(1).max(256),
    timeZone: z.string().min(1).max(64).default('UTC'),
    concurrencyPolicy: ConcurrencyPolicySchema.default('Forbid'),
    startingDeadlineSeconds: z.number().int().positive().max(31_536_000).optional(),
    successfulRunHistoryLimit: z.number().int().nonnegative().max(1000).default(3),
    failedRunHistoryLimit: z.number().int().nonnegative().max(1000).default(1),
    suspend: z.boolean().default(false),
    template: SparkJobSpecSchema,
  })
  .superRefine((spec, ctx) => {
    const problem = cronProblem(spec.schedule);
    if (problem) ctx.addIssue({ code: 'custom', path: ['schedule'], message: problem });
    if (!isTimeZone(spec.timeZone)) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeZone'],
        message: `timeZone must be an IANA time zone name such as UTC or Europe/Berlin; ${JSON.stringify(spec.timeZone)} is not known`,
      });
    }
  });

/** The whole ScheduledSparkJob manifest. `status` is accepted but ignored: the controller owns it. */
export const ScheduledSparkJobSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { message: `apiVersion must be ${API_VERSION}` }),
  kind: z.literal(SCHEDULED_KIND, { message: `kind must be ${SCHEDULED_KIND}` }),
  metadata: MetadataSchema.extend({
    name: z
      .string()
      .min(1)
      .max(MAX_SCHEDULE_NAME, { message: `a schedule's name must be at most ${MAX_SCHEDULE_NAME} characters: its runs add -<unix time>` })
      .regex(DNS1123_LABEL, {
        message: 'name must be a DNS-1123 label: lower-case letters, digits and -, starting and ending with a letter or digit',
      }),
  }),
  spec: ScheduledSparkJobSpecSchema,
  status: z.unknown().optional(),
});

/** One finished run a schedule remembers. */
export const ScheduledRunRecordSchema = z.strictObject({
  name: z.string(),
  phase: z.enum(['Succeeded', 'Failed']),
  startTime: z.string().optional(),
  completionTime: z.string().optional(),
});

/** The status the controller writes back into a ScheduledSparkJob manifest. */
export const ScheduledSparkJobStatusSchema = z.strictObject({
  lastScheduleTime: z.string().optional(),
  nextScheduleTime: z.string().optional(),
  active: z.array(z.string()).default([]),
  history: z.array(ScheduledRunRecordSchema).default([]),
  missedRuns: z.number().int().nonnegative().default(0),
  message: z.string().optional(),
});

export type ScheduledSparkJob = z.output<typeof ScheduledSparkJobSchema>;
export type ScheduledSparkJobSpec = z.output<typeof ScheduledSparkJobSpecSchema>;
export type ScheduledSparkJobStatus = z.output<typeof ScheduledSparkJobStatusSchema>;
export type ScheduledRunRecord = z.output<typeof ScheduledRunRecordSchema>;
export type ConcurrencyPolicy = z.output<typeof ConcurrencyPolicySchema>;

/** The name of the run a schedule starts for the time `scheduledAtMs` (epoch ms): `<name>-<unix seconds>`. */
export function runName(schedule: string, scheduledAtMs: number): string {
  return `${schedule}-${Math.floor(scheduledAtMs / 1000)}`;
}
