import { InvalidArgumentError } from 'commander';
import { CliUsageError } from './errors.js';
import { parseJsonPath, type JsonPath } from './json-path.js';
import { parseJsonPathTemplate, type JsonPathTemplate } from './printers/jsonpath-template.js';

/** The fixed formats of `get -o`. */
export const GET_FORMATS = ['table', 'wide', 'yaml', 'json', 'name'] as const;

/** One column of `-o custom-columns=HEADER:PATH,…`. */
export interface CustomColumn {
  readonly header: string;
  readonly path: JsonPath;
}

/** A `get -o` format: a fixed one, a JSONPath template, or custom columns. */
export type OutputFormat =
  | { readonly kind: (typeof GET_FORMATS)[number] }
  | { readonly kind: 'jsonpath'; readonly template: JsonPathTemplate }
  | { readonly kind: 'custom-columns'; readonly columns: readonly CustomColumn[] };

function parseColumns(spec: string): CustomColumn[] {
  return spec.split(',').map((col) => {
    const at = col.indexOf(':');
    if (at <= 0 || at === col.length - 1)
      throw new InvalidArgumentError(
        `custom-columns: '${col}' is not HEADER:PATH; write -o custom-columns=NAME:.metadata.name,PHASE:.status.phase`,
      );
    return { header: col.slice(0, at), path: parseJsonPath(col.slice(at + 1)) };
  });
}

/** Parses `-o`: table, wide, yaml, json, name, `jsonpath=TEMPLATE` or `custom-columns=SPEC` (bad values: exit 2). */
export function parseOutputFormat(text: string): OutputFormat {
  const fixed = GET_FORMATS.find((f) => f === text);
  if (fixed) return { kind: fixed };
  try {
    if (text.startsWith('jsonpath=')) return { kind: 'jsonpath', template: parseJsonPathTemplate(text.slice('jsonpath='.length)) };
    if (text.startsWith('custom-columns=')) return { kind: 'custom-columns', columns: parseColumns(text.slice('custom-columns='.length)) };
  } catch (err) {
    if (err instanceof CliUsageError) throw new InvalidArgumentError(err.message);
    throw err;
  }
  throw new InvalidArgumentError(
    `'${text}' is not an output format: use ${GET_FORMATS.join(', ')}, jsonpath=TEMPLATE or custom-columns=SPEC`,
  );
}
