// What a terminal must never receive raw from a user-provided string (a manifest, a status
// message, an event, a file name): every C0 control (ESC starts CSI/OSC sequences, BEL ends
// OSC 52 clipboard writes), DEL, every C1 control (U+0085 NEL, U+009B CSI, U+009D OSC: terminals
// act on them in UTF-8 too), the line and paragraph separators U+2028/U+2029, and the Unicode
// bidi embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, which reorder what is
// shown ("Trojan Source"). The bidi marks U+200E/U+200F/U+061C are kept: they cannot reorder
// strong characters, and right-to-left text needs them.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// What JSON.stringify leaves raw inside strings (it escapes C0 itself).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// An SGR (colour) sequence: ESC [ digits and semicolons m. Nothing else survives `neutraliseTerminal`.
// eslint-disable-next-line no-control-regex
const SGR_OR_UNSAFE = /\u001b\[[0-9;]{0,32}m|\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The visible form of one unsafe character: `\n`, `\x1b`, `\x9b`, `\u202e`. */
export function escapeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return NAMED[ch] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** A user-provided string made safe to print on one line: every control and bidi character shown escaped. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Like escapeText, but line breaks and tabs stay (multi-line messages such as errors and validation reports). */
export function escapeLines(text: string): string {
  return text.replace(UNSAFE_KEEP_LINES, escapeChar);
}

/** Serialised JSON with the characters JSON.stringify leaves raw (DEL, C1, bidi) written as `\uXXXX`: same data, safe on a terminal. */
export function escapeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** Whether a string holds a control or bidi character other than a line break or tab. */
export function hasUnsafeChars(text: string): boolean {
  return text.search(UNSAFE_KEEP_LINES) !== -1;
}

/**
 * Program output (a driver log, the controller's pretty log) shown on a terminal: colours (SGR)
 * and line breaks stay, every other escape sequence and control character is shown escaped, so
 * nothing can clear the screen, set the title, write the clipboard or reorder text.
 */
export function neutraliseTerminal(text: string): string {
  return text.replace(SGR_OR_UNSAFE, (m) => (m.length > 1 ? m : escapeChar(m)));
}
