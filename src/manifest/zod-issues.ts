import { z } from 'zod';
import type { Document, LineCounter } from 'yaml';
import { didYouMean } from './did-you-mean.js';
import { locatePath } from './locate-path.js';
import { dottedPath, issueAt, type ManifestIssue } from './manifest-issue.js';

type Path = readonly PropertyKey[];

/** Steps through wrappers (default, optional, pipe…) and containers to the schema at a path. */
function schemaAt(schema: z.ZodType, path: Path): z.ZodType[] {
  let current: z.ZodType[] = [schema];
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault || s instanceof z.ZodPrefault)
      return unwrap(s.unwrap() as z.ZodType);
    if (s instanceof z.ZodPipe) return unwrap(s.in as z.ZodType);
    if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).flatMap(unwrap);
    return [s];
  };
  current = current.flatMap(unwrap);
  for (const segment of path) {
    current = current
      .flatMap((s): z.ZodType[] => {
        if (s instanceof z.ZodObject) {
          const field = (s.shape as Record<string, z.ZodType>)[String(segment)];
          return field ? [field] : [];
        }
        if (s instanceof z.ZodArray) return [s.element as z.ZodType];
        if (s instanceof z.ZodRecord) return [s.valueType as z.ZodType];
        return [];
      })
      .flatMap(unwrap);
  }
  return current;
}

/** The field names a mapping at `path` accepts. */
export function allowedKeys(schema: z.ZodType, path: Path): string[] {
  const keys = schemaAt(schema, path).flatMap((s) => (s instanceof z.ZodObject ? Object.keys(s.shape) : []));
  return [...new Set(keys)];
}

function valueAt(input: unknown, path: Path): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * Whether the value at a path belongs to a secret: a `value` whose sibling `secret` is set to
 * anything but false (a mistyped `secret: "yes"` still counts). Its value is never quoted.
 */
function isSecretField(input: unknown, path: Path): boolean {
  if (path.at(-1) !== 'value') return false;
  const flag = valueAt(input, [...path.slice(0, -1), 'secret']);
  return flag !== undefined && flag !== null && flag !== false;
}

function describe(value: unknown, secret = false): string {
  if (value === null) return 'an empty value';
  if (secret) return `a ${typeof value} (a secret: its value is not shown)`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

/** Turns zod issues into positioned manifest issues with a fix where one is obvious. */
export function zodIssuesToManifestIssues(
  issues: readonly z.core.$ZodIssue[],
  ctx: { schema: z.ZodType; input: unknown; doc: Document; lineCounter: LineCounter; file: string },
  prefix: Path = [],
): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  const at = (path: Path, where: 'key' | 'value', message: string): void => {
    const { offset } = locatePath(ctx.doc, path, where);
    out.push(issueAt(ctx.file, ctx.lineCounter, offset, dottedPath(path), message));
  };
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeys(ctx.schema, path);
        for (const key of issue.keys) {
          const guess = didYouMean(key, allowed);
          const fix = guess ? `did you mean '${guess}'?` : `allowed fields: ${allowed.join(', ')}`;
          at([...path, key], 'key', `unknown field '${key}': ${fix}`);
        }
        break;
      }
      case 'invalid_type': {
        const value = valueAt(ctx.input, path);
        if (value === undefined) {
          at(path, 'key', `missing required field '${String(path.at(-1))}'`);
          break;
        }
        const expected = EXPECTED[issue.expected] ?? issue.expected;
        const quote = issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean');
        const secret = isSecretField(ctx.input, path);
        const fix = !quote ? '' : secret ? ': quote it' : `: quote it ("${String(value)}")`;
        at(path, 'value', `expected ${expected}, got ${describe(value, secret)}${fix}`);
        break;
      }
      case 'invalid_value': {
        if (valueAt(ctx.input, path) === undefined) {
          at(path, 'key', `missing required field '${String(path.at(-1))}'`);
          break;
        }
        if (!issue.message.startsWith('Invalid')) {
          at(path, 'value', issue.message);
          break;
        }
        const value = valueAt(ctx.input, path);
        const options = issue.values.map(String);
        const guess = typeof value === 'string' && !isSecretField(ctx.input, path) ? didYouMean(value, options) : undefined;
        at(path, 'value', `must be one of ${options.join(', ')}${guess ? `: did you mean '${guess}'?` : ''}`);
        break;
      }
      case 'invalid_union': {
        const branches = issue.errors.filter((b) => b.length > 0);
        const onlyKeys = branches.every((b) => b.every((i) => i.code === 'unrecognized_keys' && i.path.length === 0));
        if (branches.length > 1 && onlyKeys) {
          const forms = schemaAt(ctx.schema, path).map((s) => (s instanceof z.ZodObject ? `{${Object.keys(s.shape).join(', ')}}` : ''));
          at(path, 'value', `must be exactly one of ${forms.filter(Boolean).join(' or ')}`);
          break;
        }
        const best = [...branches].sort((a, b) => a.length - b.length)[0];
        if (best) out.push(...zodIssuesToManifestIssues(best, ctx, path));
        else at(path, 'value', issue.message);
        break;
      }
      case 'invalid_key':
        // A record key that failed its own schema: say why (the nested issue), at the key.
        at(path, 'key', issue.issues.map((i) => i.message).join('; ') || issue.message);
        break;
      default:
        at(path, 'value', issue.message);
    }
  }
  return out;
}
