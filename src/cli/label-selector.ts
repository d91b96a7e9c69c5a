import { CliUsageError } from './errors.js';

/** One requirement of a label selector. */
export type LabelRequirement =
  | { readonly op: '='; readonly key: string; readonly value: string }
  | { readonly op: '!='; readonly key: string; readonly value: string }
  | { readonly op: 'exists'; readonly key: string }
  | { readonly op: '!exists'; readonly key: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] };

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key: string, text: string): string {
  if (!KEY.test(key))
    throw new CliUsageError(
      `-l ${text}: '${key}' is not a label key (letters, digits, -, _ and ., optionally prefixed by a DNS name and /)`,
    );
  return key;
}

function checkValue(value: string, text: string): string {
  if (!VALUE.test(value) || value.length > 63)
    throw new CliUsageError(`-l ${text}: '${value}' is not a label value (at most 63 letters, digits, -, _ and .)`);
  return value;
}

/** Splits a selector at the commas that are not inside a `( … )` value set. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') depth -= 1;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0 || depth > 1) throw new CliUsageError(`-l ${text}: unbalanced parentheses; write key in (a,b)`);
  }
  if (depth !== 0) throw new CliUsageError(`-l ${text}: found '(' without its ')'; write key in (a,b)`);
  parts.push(text.slice(start));
  return parts;
}

/** Parses a kubectl-style selector: `team=geo,tier!=batch,owner,!temp,env in (prod,qa),zone notin (x)`. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const out: LabelRequirement[] = [];
  for (const raw of splitRequirements(text)) {
    const part = raw.trim();
    if (part === '') throw new CliUsageError(`-l ${text}: empty requirement; write key=value[,key2=value2]`);
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part))) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim(), text));
      if (m[3]!.trim() === '') throw new CliUsageError(`-l ${text}: ${m[2]} needs at least one value; write ${m[1]} ${m[2]} (a,b)`);
      out.push({ op: m[2] as 'in' | 'notin', key: checkKey(m[1]!, text), values });
    } else if (/\s(in|notin)\s*\(|\((.*)\)/.test(part))
      throw new CliUsageError(`-l ${text}: '${part}' is not a set requirement; write key in (a,b) or key notin (a,b)`);
    else if ((m = /^([^=!]+)!=(.*)$/.exec(part)))
      out.push({ op: '!=', key: checkKey(m[1]!.trim(), text), value: checkValue(m[2]!.trim(), text) });
    else if ((m = /^([^=!]+)==?(.*)$/.exec(part)))
      out.push({ op: '=', key: checkKey(m[1]!.trim(), text), value: checkValue(m[2]!.trim(), text) });
    else if (part.startsWith('!')) out.push({ op: '!exists', key: checkKey(part.slice(1).trim(), text) });
    else out.push({ op: 'exists', key: checkKey(part, text) });
  }
  return out;
}

/** Whether a job's labels satisfy every requirement. */
export function matchesLabels(labels: Readonly<Record<string, string>> | undefined, requirements: readonly LabelRequirement[]): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        return !has || !r.values.includes(l[r.key]!);
    }
  });
}
