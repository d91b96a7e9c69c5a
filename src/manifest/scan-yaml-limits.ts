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

/** The breach of a text with a C0 control character YAML does not allow, or undefined. */
export function controlCharacterBreach(text: string): YamlLimitBreach | undefined {
  // YAML allows no C0 control character but tab and line breaks; the lexer also uses three of them as markers.
  const control = firstControl(text);
  if (control === -1) return undefined;
  const code = text.charCodeAt(control).toString(16).padStart(2, '0');
  return {
    offset: control,
    message: `control character 0x${code} is not allowed in YAML: remove it, or write it as the escape "\\x${code}" in a double-quoted string`,
  };
}

/**
 * Checks the nesting depth and the number of items of YAML text from its lexical tokens alone,
 * one token at a time as yaml's Lexer yields them, before the parser sees the token: flow `[`/`{`
 * are counted as they open and close, block collections by the columns of their `-`, `?` and
 * `key:` indicators. Memory stays constant whatever the text. The text must have passed
 * `controlCharacterBreach` first (the lexer's markers are control characters).
 */
export class YamlLimitScanner {
  private readonly blocks: BlockLevel[] = [];
  private flow = 0;
  private items = 0;
  private tokens = 0;
  private offset = 0;
  private lineStart = 0;
  /** Column where the current line's node content began (after indentation or an indicator). */
  private segment: number | undefined;
  private scalarSource = false;

  /** Takes the next lexer token; the breach it makes, or undefined. */
  token(token: string): YamlLimitBreach | undefined {
    if (MARKERS.has(token)) {
      if (token === CST.SCALAR) this.scalarSource = true;
      else if (token === CST.FLOW_END) this.flow = 0;
      else this.blocks.length = 0;
      return undefined;
    }
    const at = this.offset;
    this.offset += token.length;
    const newline = token.lastIndexOf('\n');
    const col = at - this.lineStart;
    if (newline !== -1) this.lineStart = at + newline + 1;
    // The source of a scalar (plain or block) follows its marker, whatever its first character.
    const type = this.scalarSource ? 'scalar' : CST.tokenType(token);
    this.scalarSource = false;
    this.tokens += newline === -1 || token.length === 1 ? 1 : 1 + lineBreaks(token);
    // yaml builds a double-quoted string one character at a time (about 32 bytes each until flattened).
    if (type === 'double-quoted-scalar') this.tokens += Math.floor(token.length / DOUBLE_QUOTED_CHARS_PER_TOKEN);
    if (this.tokens > MAX_YAML_TOKENS) return { offset: at, message: tokensMessage() };
    if (type === 'newline') this.segment = undefined;
    if (type !== null && LAYOUT.has(type)) return undefined;
    this.items += 1;
    if (this.items > MAX_YAML_ITEMS) return { offset: at, message: itemsMessage() };
    let deeper = false;
    let where = at;
    switch (type) {
      case 'doc-start':
      case 'doc-end':
        this.blocks.length = 0;
        this.flow = 0;
        this.segment = undefined;
        break;
      case 'flow-seq-start':
      case 'flow-map-start':
        this.segment ??= col;
        this.flow += 1;
        deeper = this.tooDeep();
        break;
      case 'flow-seq-end':
      case 'flow-map-end':
        this.flow = Math.max(0, this.flow - 1);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
        if (this.flow === 0) deeper = this.openBlock(col, type === 'seq-item-ind' ? 'seq' : 'map');
        this.segment = undefined;
        break;
      case 'map-value-ind':
        // A block mapping opens at its first key: reported there, not at the colon.
        if (this.flow === 0) deeper = this.openBlock(this.segment ?? col, 'map');
        where = this.lineStart + (this.segment ?? col);
        this.segment = undefined;
        break;
      default:
        this.segment ??= col;
    }
    return deeper ? { offset: where, message: depthMessage() } : undefined;
  }

  private tooDeep(): boolean {
    return this.blocks.length + this.flow > MAX_DEPTH;
  }

  private openBlock(col: number, kind: BlockLevel['kind']): boolean {
    const { blocks } = this;
    let top = blocks.at(-1);
    while (top && (top.col > col || (top.col === col && top.kind === 'seq' && kind === 'map'))) {
      blocks.pop();
      top = blocks.at(-1);
    }
    if (top && top.col === col && top.kind === kind) return false;
    blocks.push({ col, kind });
    return this.tooDeep();
  }
}

/** Checks a whole text's control characters, nesting depth and item and token counts (see YamlLimitScanner). */
export function scanYamlLimits(text: string): YamlLimitBreach | undefined {
  const control = controlCharacterBreach(text);
  if (control) return control;
  const scanner = new YamlLimitScanner();
  for (const token of new Lexer().lex(text)) {
    const breach = scanner.token(token);
    if (breach) return breach;
  }
  return undefined;
}
