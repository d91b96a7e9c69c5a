import { CliUsageError } from './errors.js';

/** One step of a JSONPath: a field, an index, every element, or a `[?(@.a.b=="v")]` filter. */
type Step =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'filter'; readonly path: readonly Step[]; readonly op: '==' | '!='; readonly value: string };

/** A parsed kubectl-style JSONPath (the subset sparkctl supports), with the text it came from. */
export interface JsonPath {
  readonly text: string;
  readonly steps: readonly Step[];
}

function fail(text: string, why: string): never {
  throw new CliUsageError(
    `jsonpath ${text}: ${why}; write a path such as {.status.phase}, {.spec.driver.cores}, {.status.conditions[?(@.type=="Succeeded")].status}`,
  );
}

function parseSteps(src: string, text: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z0-9_-]+)/.exec(rest))) steps.push({ kind: 'field', name: m[1]! });
    else if ((m = /^\[(\d+)\]/.exec(rest))) steps.push({ kind: 'index', index: Number(m[1]) });
    else if ((m = /^\[\*\]/.exec(rest)) || (m = /^\.\*/.exec(rest))) steps.push({ kind: 'all' });
    else if ((m = /^\[(['"])(.*?)\1\]/.exec(rest))) steps.push({ kind: 'field', name: m[2]! });
    else if ((m = /^\[\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(['"])(.*?)\3\)\]/.exec(rest))) {
      steps.push({ kind: 'filter', path: parseSteps(m[1]!, text), op: m[2] as '==' | '!=', value: m[4]! });
    } else fail(text, `cannot read '${rest}'`);
    i += m[0].length;
  }
  return steps;
}

/** Parses `{.status.phase}` (braces optional, a leading `$` allowed). */
export function parseJsonPath(text: string): JsonPath {
  let src = text.trim();
  if (src.startsWith('{')) {
    if (!src.endsWith('}')) fail(text, 'unclosed {');
    src = src.slice(1, -1).trim();
  }
  if (src.startsWith('$')) src = src.slice(1);
  if (src === '' || src === '.') return { text, steps: [] };
  if (!src.startsWith('.') && !src.startsWith('[')) src = `.${src}`;
  return { text, steps: parseSteps(src, text) };
}

function apply(values: readonly unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (v === null || typeof v !== 'object') continue;
    if (step.kind === 'field' && !Array.isArray(v) && Object.hasOwn(v, step.name)) out.push((v as Record<string, unknown>)[step.name]);
    else if (step.kind === 'index' && Array.isArray(v) && step.index < v.length) out.push(v[step.index]);
    else if (step.kind === 'all') out.push(...(Array.isArray(v) ? v : Object.values(v)));
    else if (step.kind === 'filter' && Array.isArray(v)) {
      for (const item of v) {
        const found = evaluate({ text: '', steps: step.path }, item);
        const hit = found.some((f) => scalarText(f) === step.value);
        if (step.op === '==' ? hit : !hit && found.length > 0) out.push(item);
      }
    }
  }
  return out;
}

/** Every value a path selects in an object (none when a field is missing). */
export function evaluate(path: JsonPath, root: unknown): unknown[] {
  return path.steps.reduce<unknown[]>((values, step) => apply(values, step), [root]);
}

/** A selected value as kubectl prints it: strings bare, everything else as JSON. */
export function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
