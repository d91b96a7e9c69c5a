import { PHASES, TERMINAL_PHASES, type Phase, type SparkJobStatus } from '../api/status.js';
import { CliUsageError } from './errors.js';

/** What `wait --for` waits for. */
export type WaitCondition =
  | { readonly kind: 'condition'; readonly type: string; readonly status: 'True' | 'False' | 'Unknown' }
  | { readonly kind: 'phase'; readonly phase: Phase };

const CONDITION_TYPES = ['Succeeded', 'Reconciling', 'Stalled'];

/** Parses `condition=Succeeded`, `condition=Stalled=False` or `phase=Failed`. */
export function parseWaitCondition(text: string): WaitCondition {
  const m = /^(condition|phase)=([A-Za-z]+)(?:=([A-Za-z]+))?$/.exec(text.trim());
  if (!m) throw new CliUsageError(`--for ${text}: write condition=Succeeded, condition=Stalled=False or phase=Failed`);
  const [, kind, name, value] = m;
  if (kind === 'phase') {
    const phase = PHASES.find((p) => p.toLowerCase() === name!.toLowerCase());
    if (!phase || value !== undefined) throw new CliUsageError(`--for ${text}: phase must be one of ${PHASES.join(', ')}`);
    return { kind: 'phase', phase };
  }
  const type = CONDITION_TYPES.find((t) => t.toLowerCase() === name!.toLowerCase());
  if (!type) throw new CliUsageError(`--for ${text}: condition must be one of ${CONDITION_TYPES.join(', ')}`);
  const status = value === undefined ? 'True' : (['True', 'False', 'Unknown'] as const).find((s) => s.toLowerCase() === value.toLowerCase());
  if (!status) throw new CliUsageError(`--for ${text}: a condition's status is True, False or Unknown`);
  return { kind: 'condition', type, status };
}

/** How a status stands against a condition: met, still possible, or never (the job is terminal without it). */
export type WaitVerdict = 'met' | 'pending' | 'never';

/** Judges a current (not stale) status against a condition. */
export function judge(status: SparkJobStatus, cond: WaitCondition): WaitVerdict {
  const met =
    cond.kind === 'phase'
      ? status.phase === cond.phase
      : (status.conditions.find((c) => c.type === cond.type)?.status ?? 'Unknown') === cond.status;
  if (met) return 'met';
  return TERMINAL_PHASES.has(status.phase) ? 'never' : 'pending';
}

/** Describes a condition as the user wrote it. */
export function describeCondition(cond: WaitCondition): string {
  return cond.kind === 'phase' ? `phase=${cond.phase}` : `condition=${cond.type}${cond.status === 'True' ? '' : `=${cond.status}`}`;
}
