import { CliUsageError } from '../errors.js';
import { evaluate, parseJsonPath, scalarText, type JsonPath } from '../json-path.js';
import { escapeText } from '../../escape-text.js';

/** One piece of a `-o jsonpath=` template: literal text, a path, or a `{range PATH}…{end}` loop. */
type Piece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'path'; readonly path: JsonPath }
  | { readonly kind: 'range'; readonly path: JsonPath; readonly body: Piece[] };

const unquote = (s: string) => s.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);

/** A parsed kubectl-style template: `{.metadata.name}`, `{range .items[*]}{.metadata.name}{"\n"}{end}`. */
export interface JsonPathTemplate {
  readonly text: string;
  readonly pieces: readonly Piece[];
}

/** Parses a template; a malformed one is a usage error naming it. */
export function parseJsonPathTemplate(text: string): JsonPathTemplate {
  const stack: Piece[][] = [[]];
  const open: Array<{ path: JsonPath }> = [];
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('{', i);
    if (at < 0) {
      stack[stack.length - 1]!.push({ kind: 'text', text: text.slice(i) });
      break;
    }
    if (at > i) stack[stack.length - 1]!.push({ kind: 'text', text: text.slice(i, at) });
    const close = text.indexOf('}', at);
    if (close < 0) throw new CliUsageError(`-o jsonpath=${text}: unclosed {`);
    const expr = text.slice(at + 1, close).trim();
    if (/^(["']).*\1$/.test(expr)) stack[stack.length - 1]!.push({ kind: 'text', text: unquote(expr) });
    else if (expr.startsWith('range ')) {
      open.push({ path: parseJsonPath(expr.slice(6)) });
      stack.push([]);
    } else if (expr === 'end') {
      const loop = open.pop();
      if (!loop) throw new CliUsageError(`-o jsonpath=${text}: {end} without {range}`);
      const body = stack.pop()!;
      stack[stack.length - 1]!.push({ kind: 'range', path: loop.path, body });
    } else stack[stack.length - 1]!.push({ kind: 'path', path: parseJsonPath(expr) });
    i = close + 1;
  }
  if (open.length > 0) throw new CliUsageError(`-o jsonpath=${text}: {range} without {end}`);
  return { text, pieces: stack[0]! };
}

function render(pieces: readonly Piece[], current: unknown): string {
  let out = '';
  for (const p of pieces) {
    if (p.kind === 'text') out += p.text;
    else if (p.kind === 'path')
      out += evaluate(p.path, current)
        .map((v) => escapeText(scalarText(v)))
        .join(' ');
    else for (const item of evaluate(p.path, current)) out += render(p.body, item);
  }
  return out;
}

/** Fills a template from an object; selected strings are shown escaped (like every user string), literal text as written. */
export function renderJsonPathTemplate(template: JsonPathTemplate, root: unknown): string {
  return render(template.pieces, root);
}
