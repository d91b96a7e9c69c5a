import { z } from 'zod';

/** Every phase a job's status can show; `phase` is for display, conditions carry the detail. */
export const PHASES = [
  'Pending',
  'Connecting',
  'RequestingResources',
  'Running',
  'Collecting',
  'Releasing',
  'Succeeded',
  'Failed',
  'Suspended',
  'Retrying',
  'Invalid',
] as const;
export type Phase = (typeof PHASES)[number];

/** Phases after which nothing more happens until the spec or the rerun annotation changes. */
export const TERMINAL_PHASES: ReadonlySet<Phase> = new Set(['Succeeded', 'Failed', 'Invalid']);

export const ConditionSchema = z.strictObject({
  type: z.enum(['Succeeded', 'Reconciling', 'Stalled']),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string().default(''),
  lastTransitionTime: z.string(),
  observedSpecHash: z.string().optional(),
});
export type Condition = z.output<typeof ConditionSchema>;

export const DriverRefSchema = z.strictObject({
  backend: z.enum(['docker', 'mesos']),
  containerId: z.string().optional(),
  containerName: z.string().optional(),
  taskId: z.string().optional(),
  agentId: z.string().optional(),
  frameworkId: z.string().optional(),
});
export type DriverRef = z.output<typeof DriverRefSchema>;

export const ResultsSchema = z.strictObject({
  outputs: z.array(z.strictObject({ name: z.string(), path: z.string(), bytes: z.number().optional() })),
  cached: z.boolean(),
});

/** The `status:` block the controller writes into a manifest, projected from its journal. */
export const SparkJobStatusSchema = z.strictObject({
  phase: z.enum(PHASES),
  observedSpecHash: z.string().optional(),
  conditions: z.array(ConditionSchema).default([]),
  submissionAttempts: z.number().int().nonnegative().default(0),
  executionAttempts: z.number().int().nonnegative().default(0),
  startTime: z.string().optional(),
  completionTime: z.string().optional(),
  driver: DriverRefSchema.optional(),
  exitCode: z.number().int().optional(),
  results: ResultsSchema.optional(),
  lastHandledRerunAt: z.string().optional(),
  message: z.string().optional(),
});
export type SparkJobStatus = z.output<typeof SparkJobStatusSchema>;
