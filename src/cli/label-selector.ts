import { CliUsageError } from './errors.js';

/** One requirement of a label selector. */
export type LabelRequirement =
  | { readonly op: '='; readonly key: string; readonly value: string }
  | { readonly op: '!='; readonly key: string; readonly value: string }
  | { readonly op: 'exists'; readonly key: string }
  | { readonly op: '!exists'; readonly key: string };

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key: string, text: string): string {
  if (!KEY.test(key)) throw new CliUsageError(`-l ${text}: '${key}' is not a label key (letters, digits, -, _ and ., optionally prefixed by a DNS name and /)`);
  return key;
}

function checkValue(value: string, text: string): string {
  if (!VALUE.test(value) || value.length > 63) throw new CliUsageError(`-l ${text}: '${value}' is not a label value (at most 63 letters, digits, -, _ and .)`);
  return value;
}

/** Parses a kubectl-style equality selector: `team=geo,tier!=batch,owner,!temp`. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const out: LabelRequirement[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') throw new CliUsageError(`-l ${text}: empty requirement; write key=value[,key2=value2]`);
    let m: RegExpExecArray | null;
    if ((m = /^([^=!]+)!=(.*)$/.exec(part))) out.push({ op: '!=', key: checkKey(m[1]!.trim(), text), value: checkValue(m[2]!.trim(), text) });
    else if ((m = /^([^=!]+)==?(.*)$/.exec(part))) out.push({ op: '=', key: checkKey(m[1]!.trim(), text), value: checkValue(m[2]!.trim(), text) });
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
    }
  });
}
