import { isDeepStrictEqual } from 'node:util';
import { stat } from 'node:fs/promises';
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { parsePlainBounded, parseYamlBounded } from '../manifest/parse-yaml-bounded.js';
import { oversizeMessage, readNamedManifest } from '../manifest/read-manifest-file.js';
import { decodeManifest } from '../manifest/read-limits.js';
import { ManifestEditError } from './errors.js';

/** A scalar a CLI edit may write. */
export type EditValue = string | boolean;

const PLAIN_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

function renderKey(key: string): string {
  return PLAIN_KEY.test(key) ? key : JSON.stringify(key);
}

function renderValue(value: EditValue): string {
  return typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** `a: {b: v}` for the keys still missing below an existing flow mapping. */
function renderFlow(path: readonly string[], value: EditValue): string {
  const [head, ...rest] = path;
  return `${renderKey(head!)}: ${rest.length === 0 ? renderValue(value) : `{${renderFlow(rest, value)}}`}`;
}

/** The missing keys as block lines, each level `step` spaces deeper. */
function renderBlock(path: readonly string[], value: EditValue, indent: number, step: number, eol: string): string {
  return path
    .map((key, i) => `${' '.repeat(indent + i * step)}${renderKey(key)}:${i === path.length - 1 ? ` ${renderValue(value)}` : ''}`)
    .join(eol);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

function plain(text: string): unknown {
  return parsePlainBounded(text);
}

function setIn(obj: unknown, path: readonly string[], value: EditValue): unknown {
  const copy = structuredClone(obj) as Record<string, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    at[key] = next !== null && typeof next === 'object' ? next : {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
  return copy;
}

function insertIntoMap(
  text: string,
  map: YAMLMap,
  missing: readonly string[],
  value: EditValue,
  parentIndent: number,
  where: string,
): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (map.flow) {
    const end = map.range![1] - 1;
    if (text[end] !== '}') throw new ManifestEditError(`cannot edit ${where}: its flow mapping does not end in '}'`);
    const sep = map.items.length > 0 ? ', ' : '';
    return text.slice(0, end) + sep + renderFlow(missing, value) + text.slice(end);
  }
  const first = map.items[0]?.key as Node | undefined;
  const last = map.items[map.items.length - 1] as Pair<Node, Node | null> | undefined;
  if (!first?.range || !last) throw new ManifestEditError(`cannot edit ${where}: it is an empty mapping`);
  const indent = first.range[0] - lineStart(text, first.range[0]);
  const step = Math.max(2, indent - parentIndent);
  const lastEnd = Math.max(last.value?.range?.[1] ?? 0, last.key.range?.[1] ?? 0);
  const lastKeyStart = last.key.range?.[0] ?? 0;
  let at = text[lastEnd - 1] === '\n' ? lastEnd : lineEnd(text, lastEnd);
  // A block value's range may take the blank lines after it; the new key goes before them.
  while (at > 0 && lineStart(text, at - 1) > lastKeyStart && text.slice(lineStart(text, at - 1), at).trim() === '') {
    at = lineStart(text, at - 1);
  }
  const block = renderBlock(missing, value, indent, step, eol);
  const needsNewline = at > 0 && text[at - 1] !== '\n';
  return text.slice(0, at) + (needsNewline ? eol : '') + block + (needsNewline ? '' : eol) + text.slice(at);
}

/**
 * Sets one scalar at a path of mappings (e.g. `['spec', 'suspend']`) with a minimal text edit:
 * an existing value's bytes are replaced, a missing key is added after its mapping's last entry
 * (or inside its `{}`), and every other byte — comments, order, quoting — stays as it was.
 * Throws ManifestEditError when the file's layout does not allow that or the result would differ
 * anywhere else.
 */
export function setManifestValue(text: string, path: readonly string[], value: EditValue, file = 'manifest'): string {
  const where = `${path.join('.')} in ${file}`;
  const parsed = parseYamlBounded(text);
  if (!parsed.ok) throw new ManifestEditError(`cannot edit ${where}: ${parsed.breach.message}`);
  const doc = parsed.docs[0];
  if (doc === undefined || parsed.docs.length > 1)
    throw new ManifestEditError(`cannot edit ${where}: the file must hold exactly one YAML document`);
  if (doc.errors.length > 0) throw new ManifestEditError(`cannot edit ${where}: the file is not valid YAML (${doc.errors[0]!.message})`);
  let node: unknown = doc.contents;
  let parentIndent = 0;
  let next = text;
  for (let i = 0; i < path.length; i += 1) {
    const key = path[i]!;
    const here = path.slice(0, i).join('.') || 'the document';
    if (!isMap(node)) throw new ManifestEditError(`cannot edit ${where}: ${here} is not a mapping`);
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Node, Node | null> | undefined;
    if (!pair) {
      next = insertIntoMap(text, node, path.slice(i), value, parentIndent, where);
      break;
    }
    const keyNode = pair.key;
    const val = pair.value;
    const rest = path.slice(i + 1);
    if (val === null || (isScalar(val) && val.value === null && val.range![0] === val.range![1])) {
      // `key:` with nothing after it: the value (or the missing mappings) go right after the colon.
      const colon = text.indexOf(':', keyNode.range![1]);
      const inserted = rest.length === 0 ? ` ${renderValue(value)}` : ` {${renderFlow(rest, value)}}`;
      next = text.slice(0, colon + 1) + inserted + text.slice(colon + 1);
      break;
    }
    if (rest.length === 0) {
      if (!isScalar(val) || !val.range)
        throw new ManifestEditError(`cannot edit ${where}: it holds a ${isMap(val) ? 'mapping' : 'list'}, not a value`);
      if (val.anchor || val.tag) throw new ManifestEditError(`cannot edit ${where}: its value carries an anchor or tag; edit it by hand`);
      next = text.slice(0, val.range[0]) + renderValue(value) + text.slice(val.range[1]);
      break;
    }
    if (keyNode.range) parentIndent = keyNode.range[0] - lineStart(text, keyNode.range[0]);
    node = val;
  }
  const before = plain(text);
  const after = plain(next);
  if (after === undefined || !isDeepStrictEqual(after, setIn(before, path, value))) {
    throw new ManifestEditError(
      `cannot edit ${where} without changing other content (anchors, aliases or an unusual layout); edit the file by hand`,
    );
  }
  return next;
}

/** What editManifestFile did. */
export type EditResult = 'edited' | 'unchanged';

/** A manifest's text read with the manifest reader's rules (regular file, no link, size cap, UTF-8). */
async function readText(path: string): Promise<string> {
  const read = await readNamedManifest(path);
  if (read.kind === 'gone') throw new ManifestEditError(`cannot edit ${path}: it no longer exists`);
  if (read.kind === 'refused') throw new ManifestEditError(`cannot edit ${path}: ${read.reason}`);
  if (read.truncated) throw new ManifestEditError(`cannot edit ${path}: ${oversizeMessage(read)}`);
  const decoded = decodeManifest(path, read.bytes);
  if ('issue' in decoded) throw new ManifestEditError(`cannot edit ${path}: ${decoded.issue.message}`);
  return decoded.text;
}

/** Applies a text edit to a manifest file atomically, keeping its mode; retries when the file changes meanwhile. */
export async function editManifestFile(path: string, edit: (text: string) => string, attempts = 5): Promise<EditResult> {
  for (let i = 0; i < attempts; i += 1) {
    const text = await readText(path);
    const next = edit(text);
    if (next === text) return 'unchanged';
    const { mode } = await stat(path);
    if ((await readText(path)) !== text) continue;
    await writeFileAtomic(path, next, { mode: mode & 0o777 });
    return 'edited';
  }
  throw new ManifestEditError(`${path} kept changing during ${attempts} attempts to edit it; retry`);
}
