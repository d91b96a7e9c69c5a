import { CST, Lexer } from 'yaml';

/** Nesting depth (collections inside collections) beyond which a manifest is refused; a SparkJob needs fewer than 10. */
export const MAX_DEPTH = 64;
/** YAML items (keys, values, collections, aliases, indicators) beyond which a manifest is refused; a SparkJob needs a few hundred. */
export const MAX_YAML_ITEMS = 10_000;
/**
 * Lexical tokens of any kind (items, indentation, comments, line breaks, also inside scalars; long double-quoted strings count more) beyond
 * which a manifest is refused.
 */
export const MAX_YAML_TOKENS = 60_000;

/** Where and why a text breaks a read limit (offset: a character offset into the text). */
export interface YamlLimitBreach {
  readonly offset: number;
  readonly message: string;
}

/** The message for a document nested deeper than MAX_DEPTH (shared with the check on built documents). */
export const depthMessage = (): string =>
  `nesting deeper than ${MAX_DEPTH} levels is not allowed: flatten the lists and mappings (a SparkJob needs fewer than 10 levels)`;

const itemsMessage = (): string =>
  `more than ${MAX_YAML_ITEMS} YAML items (keys, values, list entries, punctuation) is not allowed: a SparkJob needs a few hundred; move data out of the manifest`;
/** A double-quoted string counts one token per this many characters: parsing it costs as much. */
const DOUBLE_QUOTED_CHARS_PER_TOKEN = 4;
const tokensMessage = (): string =>
  `more than ${MAX_YAML_TOKENS} YAML tokens (items, comments, indentation, line breaks; a double-quoted string counts one per ${DOUBLE_QUOTED_CHARS_PER_TOKEN} characters) is not allowed: shorten the file, write long text as a block scalar (|), or move data out of the manifest`;

/** Line breaks in a token (a multi-line scalar costs the parser one entry per line). */
function lineBreaks(token: string): number {
  let n = 0;
  for (let i = token.indexOf('\n'); i !== -1; i = token.indexOf('\n', i + 1)) n += 1;
  return n;
}

/** Lexer tokens that are not part of the source text (markers the lexer inserts). */
const MARKERS = new Set([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);
/** Tokens that cost nothing when the document is built: layout only. */
const LAYOUT = new Set(['space', 'newline', 'comment', 'byte-order-mark']);

/** Offset of the first C0 control character other than tab, line feed and carriage return, or -1. */
function firstControl(text: string): number {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
  }
  return -1;
}

interface BlockLevel {
  readonly col: number;
  readonly kind: 'map' | 'seq';
}

/**
 * Checks the nesting depth and the number of items of YAML text from its lexical tokens alone,
 * before any node is built: flow `[`/`{` are counted as they open and close, block collections by
 * the columns of their `-`, `?` and `key:` indicators. Memory stays constant whatever the text.
 */
export function scanYamlLimits(text: string): YamlLimitBreach | undefined {
  // YAML allows no C0 control character but tab and line breaks; the lexer also uses three of them as markers.
  const control = firstControl(text);
  if (control !== -1) {
    const code = text.charCodeAt(control).toString(16).padStart(2, '0');
    return {
      offset: control,
      message: `control character 0x${code} is not allowed in YAML: remove it, or write it as the escape "\\x${code}" in a double-quoted string`,
    };
  }
  const blocks: BlockLevel[] = [];
  let flow = 0;
  let items = 0;
  let tokens = 0;
  let offset = 0;
  let lineStart = 0;
  /** Column where the current line's node content began (after indentation or an indicator). */
  let segment: number | undefined;
  let scalarSource = false;

  const tooDeep = (): boolean => blocks.length + flow > MAX_DEPTH;
  const openBlock = (col: number, kind: BlockLevel['kind']): boolean => {
    let top = blocks.at(-1);
    while (top && (top.col > col || (top.col === col && top.kind === 'seq' && kind === 'map'))) {
      blocks.pop();
      top = blocks.at(-1);
    }
    if (top && top.col === col && top.kind === kind) return false;
    blocks.push({ col, kind });
    return tooDeep();
  };

  for (const token of new Lexer().lex(text)) {
    if (MARKERS.has(token)) {
      if (token === CST.SCALAR) scalarSource = true;
      else if (token === CST.FLOW_END) flow = 0;
      else blocks.length = 0;
      continue;
    }
    const at = offset;
    offset += token.length;
    const newline = token.lastIndexOf('\n');
    const col = at - lineStart;
    if (newline !== -1) lineStart = at + newline + 1;
    // The source of a scalar (plain or block) follows its marker, whatever its first character.
    const type = scalarSource ? 'scalar' : CST.tokenType(token);
    scalarSource = false;
    tokens += newline === -1 || token.length === 1 ? 1 : 1 + lineBreaks(token);
    // yaml builds a double-quoted string one character at a time (about 32 bytes each until flattened).
    if (type === 'double-quoted-scalar') tokens += Math.floor(token.length / DOUBLE_QUOTED_CHARS_PER_TOKEN);
    if (tokens > MAX_YAML_TOKENS) return { offset: at, message: tokensMessage() };
    if (type === 'newline') segment = undefined;
    if (type !== null && LAYOUT.has(type)) continue;
    items += 1;
    if (items > MAX_YAML_ITEMS) return { offset: at, message: itemsMessage() };
    let deeper = false;
    let where = at;
    switch (type) {
      case 'doc-start':
      case 'doc-end':
        blocks.length = 0;
        flow = 0;
        segment = undefined;
        break;
      case 'flow-seq-start':
      case 'flow-map-start':
        segment ??= col;
        flow += 1;
        deeper = tooDeep();
        break;
      case 'flow-seq-end':
      case 'flow-map-end':
        flow = Math.max(0, flow - 1);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
        if (flow === 0) deeper = openBlock(col, type === 'seq-item-ind' ? 'seq' : 'map');
        segment = undefined;
        break;
      case 'map-value-ind':
        // A block mapping opens at its first key: reported there, not at the colon.
        if (flow === 0) deeper = openBlock(segment ?? col, 'map');
        where = lineStart + (segment ?? col);
        segment = undefined;
        break;
      default:
        segment ??= col;
    }
    if (deeper) return { offset: where, message: depthMessage() };
  }
  return undefined;
}
