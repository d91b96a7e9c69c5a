import { PHASES, TERMINAL_PHASES, type Phase, type SparkJobStatus } from '../api/status.js';
import { CliUsageError } from './errors.js';
import { evaluate, parseJsonPath, scalarText, type JsonPath } from './json-path.js';

/** What `wait --for` waits for. */
export type WaitCondition =
  | { readonly kind: 'condition'; readonly type: string; readonly status: 'True' | 'False' | 'Unknown' }
  | { readonly kind: 'phase'; readonly phase: Phase }
  | { readonly kind: 'delete' }
  /** `jsonpath={.path}=value`, or without `=value`: the path selects something. */
  | { readonly kind: 'jsonpath'; readonly path: JsonPath; readonly value?: string };

const CONDITION_TYPES = ['Succeeded', 'Reconciling', 'Stalled'];

function parseJsonPathCondition(text: string, body: string): WaitCondition {
  let expr = body;
  let value: string | undefined;
  if (body.startsWith('{')) {
    const end = body.lastIndexOf('}');
    if (end < 0) throw new CliUsageError(`--for ${text}: unclosed {; write jsonpath={.status.phase}=Succeeded`);
    expr = body.slice(0, end + 1);
    const rest = body.slice(end + 1);
    if (rest !== '' && !rest.startsWith('='))
      throw new CliUsageError(`--for ${text}: after the path comes =VALUE; write jsonpath={.status.phase}=Succeeded`);
    if (rest !== '') value = rest.slice(1);
  } else {
    const eq = body.indexOf('=');
    if (eq >= 0) [expr, value] = [body.slice(0, eq), body.slice(eq + 1)];
  }
  return { kind: 'jsonpath', path: parseJsonPath(expr), ...(value !== undefined ? { value: value.replace(/^(['"])(.*)\1$/, '$2') } : {}) };
}

/** Parses `condition=Succeeded`, `condition=Stalled=False`, `phase=Failed`, `delete` or `jsonpath={.status.phase}=Succeeded`. */
export function parseWaitCondition(text: string): WaitCondition {
  const trimmed = text.trim();
  if (trimmed === 'delete') return { kind: 'delete' };
  if (trimmed.startsWith('jsonpath=')) return parseJsonPathCondition(text, trimmed.slice('jsonpath='.length).replace(/^'(\{.*\})'/, '$1'));
  const m = /^(condition|phase)=([A-Za-z]+)(?:=([A-Za-z]+))?$/.exec(text.trim());
  if (!m)
    throw new CliUsageError(
      `--for ${text}: write condition=Succeeded, condition=Stalled=False, phase=Failed, delete or jsonpath={.status.phase}=Succeeded`,
    );
  const [, kind, name, value] = m;
  if (kind === 'phase') {
    const phase = PHASES.find((p) => p.toLowerCase() === name!.toLowerCase());
    if (!phase || value !== undefined) throw new CliUsageError(`--for ${text}: phase must be one of ${PHASES.join(', ')}`);
    return { kind: 'phase', phase };
  }
  const type = CONDITION_TYPES.find((t) => t.toLowerCase() === name!.toLowerCase());
  if (!type) throw new CliUsageError(`--for ${text}: condition must be one of ${CONDITION_TYPES.join(', ')}`);
  const status =
    value === undefined ? 'True' : (['True', 'False', 'Unknown'] as const).find((s) => s.toLowerCase() === value.toLowerCase());
  if (!status) throw new CliUsageError(`--for ${text}: a condition's status is True, False or Unknown`);
  return { kind: 'condition', type, status };
}

/** How a status stands against a condition: met, still possible, or never (the job is terminal without it). */
export type WaitVerdict = 'met' | 'pending' | 'never';

/** Judges a current (not stale) status against a condition; a jsonpath is evaluated on `object()` (the job as `get -o json` prints it). */
export function judge(status: SparkJobStatus, cond: WaitCondition, object?: () => unknown): WaitVerdict {
  if (cond.kind === 'delete') return 'pending';
  let met: boolean;
  if (cond.kind === 'jsonpath') {
    const found = evaluate(cond.path, object?.()).map(scalarText);
    met = cond.value === undefined ? found.length > 0 : found.length > 0 && found.join(' ') === cond.value;
  } else {
    met =
      cond.kind === 'phase'
        ? status.phase === cond.phase
        : (status.conditions.find((c) => c.type === cond.type)?.status ?? 'Unknown') === cond.status;
  }
  if (met) return 'met';
  return TERMINAL_PHASES.has(status.phase) ? 'never' : 'pending';
}

/** Describes a condition as the user wrote it. */
export function describeCondition(cond: WaitCondition): string {
  if (cond.kind === 'delete') return 'delete';
  if (cond.kind === 'jsonpath') return `jsonpath=${cond.path.text}${cond.value !== undefined ? `=${cond.value}` : ''}`;
  return cond.kind === 'phase' ? `phase=${cond.phase}` : `condition=${cond.type}${cond.status === 'True' ? '' : `=${cond.status}`}`;
}
