/**
 * A direct renderer for the common status block, built without a YAML document: mappings with
 * identifier keys, lists, safe integers, booleans, null and ASCII strings. Anything else returns
 * undefined and the caller uses yaml's stringify. A string is written plain only in a narrow
 * shape the YAML 1.2 core schema reads back as that same string (a word-like text, a timestamp,
 * a hex digest), else as its JSON string, which YAML reads as the same string (its escapes are
 * YAML's). So the block reads back as the value by construction, and the status writer need not
 * parse it to check; test/manifest/render-status-fast.test.ts checks that claim against yaml.
 * For the statuses the controller writes, the text is the one yaml's stringify gives.
 */

const KEY = /^[A-Za-z][A-Za-z0-9]*$/;
/** Plain shapes: a word-like text (no indicator, no `:`, no `#`), an ISO timestamp, a hex digest. */
const PLAIN = /^(?:[A-Za-z][A-Za-z0-9_./()=+, -]*[A-Za-z0-9_./()=+-]|[A-Za-z]|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z|[0-9a-f]+)$/;
/** What the core schema reads as something other than a string (null, booleans, numbers). */
const CORE_NON_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
/** Only ASCII: JSON's escapes of control characters are YAML's too; other characters are left to yaml. */
// eslint-disable-next-line no-control-regex -- the point is to accept every ASCII character, controls included
const ASCII = /^[\x00-\x7f]*$/;

function scalar(v: unknown): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? String(v) : undefined;
  if (typeof v !== 'string' || !ASCII.test(v)) return undefined;
  return PLAIN.test(v) && !CORE_NON_STRING.test(v) ? v : JSON.stringify(v);
}

/** Appends `key: value` lines of a mapping at `pad`; false when some value is not of the supported kinds. */
function mapping(obj: Record<string, unknown>, pad: string, out: string[], first?: string): boolean {
  let lead = first;
  for (const [k, v] of Object.entries(obj)) {
    if (!KEY.test(k)) return false;
    const at = lead ?? pad;
    lead = undefined;
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${at}${k}: []`);
      else {
        out.push(`${at}${k}:`);
        if (!sequence(v, `${pad}  `, out)) return false;
      }
    } else if (v !== null && typeof v === 'object') {
      if (Object.keys(v).length === 0) out.push(`${at}${k}: {}`);
      else {
        out.push(`${at}${k}:`);
        if (!mapping(v as Record<string, unknown>, `${pad}  `, out)) return false;
      }
    } else {
      const s = scalar(v);
      if (s === undefined) return false;
      out.push(`${at}${k}: ${s}`);
    }
  }
  return true;
}

function sequence(items: unknown[], pad: string, out: string[]): boolean {
  for (const item of items) {
    if (Array.isArray(item)) return false;
    if (item !== null && typeof item === 'object') {
      if (Object.keys(item).length === 0) return false;
      if (!mapping(item as Record<string, unknown>, `${pad}  `, out, `${pad}- `)) return false;
    } else {
      const s = scalar(item);
      if (s === undefined) return false;
      out.push(`${pad}- ${s}`);
    }
  }
  return true;
}

/** `status:` and its block, as renderStatusBlock writes it, or undefined when the value needs yaml's own stringify. */
export function renderStatusBlockFast(plain: unknown, indent: number, eol: '\n' | '\r\n'): string | undefined {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return undefined;
  const out: string[] = [];
  const pad = ' '.repeat(indent);
  if (Object.keys(plain).length === 0) out.push(`${pad}status: {}`);
  else {
    out.push(`${pad}status:`);
    if (!mapping(plain as Record<string, unknown>, `${pad}  `, out)) return undefined;
  }
  return out.join(eol) + eol;
}
