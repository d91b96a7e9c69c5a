import { isAlias, isMap, isPair, isSeq, Parser, type Document, type LineCounter, type Node } from 'yaml';
import { issueAt, type ManifestIssue } from './manifest-issue.js';
import { depthMessage, MAX_DEPTH } from './scan-yaml-limits.js';

/** Nodes that aliases may add to a document when expanded; a billion-laughs file needs far more. */
export const MAX_ALIAS_EXPANSION = 10_000;
/** The only explicit tags a manifest may use: YAML 1.2 core types. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** Offsets of every tag token in the source, so a rejected tag is reported where it is written. */
function tagOffsets(text: string): number[] {
  const offsets: number[] = [];
  const walk = (token: unknown): void => {
    if (Array.isArray(token)) {
      for (const t of token) walk(t);
      return;
    }
    if (token === null || typeof token !== 'object') return;
    const record = token as Record<string, unknown>;
    if (record.type === 'tag' && typeof record.offset === 'number') offsets.push(record.offset);
    for (const value of Object.values(record)) if (typeof value === 'object') walk(value);
  };
  for (const token of new Parser().parse(text)) walk(token);
  return offsets.sort((a, b) => a - b);
}

/**
 * Rejects what a hostile or careless file could use to hurt the reader: custom tags, alias
 * expansion beyond MAX_ALIAS_EXPANSION (billion laughs), self-referencing aliases, deep nesting.
 */
export function checkYamlSafety(doc: Document, text: string, file: string, lineCounter: LineCounter): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  let tags: number[] | undefined;
  const anchors = new Map<string, Node>();
  const sizes = new WeakMap<Node, number>();
  const inProgress = new Set<Node>();
  let expansion = 0;
  let expansionReported = false;

  const tagIssue = (node: Node, tag: string): void => {
    const start = node.range?.[0] ?? 0;
    tags ??= tagOffsets(text);
    const offset = tags.filter((o) => o < start).pop() ?? start;
    issues.push(
      issueAt(file, lineCounter, offset, '', `custom tag ${tag} is not allowed: remove it (manifests use plain YAML types only)`),
    );
  };

  // Returns the node count of a subtree with its aliases expanded (aliases counted through `sizes`).
  const visit = (node: unknown, depth: number): number => {
    if (isPair(node)) return visit(node.key, depth) + visit(node.value, depth);
    if (node === null || node === undefined || typeof node !== 'object') return 0;
    const n = node as Node;
    // A second guard behind scanYamlLimits, which refuses deep text before it is built: `depth` counts collections.
    if ((isMap(n) || isSeq(n)) && depth > MAX_DEPTH) {
      issues.push(issueAt(file, lineCounter, n.range?.[0] ?? 0, '', depthMessage()));
      return 1;
    }
    if (isAlias(n)) {
      const target = anchors.get(n.source);
      if (target === undefined) return 1;
      if (inProgress.has(target)) {
        issues.push(issueAt(file, lineCounter, n.range?.[0] ?? 0, '', `alias *${n.source} refers to a node that contains it`));
        return 1;
      }
      const size = sizes.get(target) ?? 1;
      expansion += size;
      if (expansion > MAX_ALIAS_EXPANSION && !expansionReported) {
        expansionReported = true;
        issues.push(
          issueAt(
            file,
            lineCounter,
            n.range?.[0] ?? 0,
            '',
            `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes (alias *${n.source} adds ${size}): write the values out or use fewer aliases`,
          ),
        );
      }
      return size;
    }
    if (n.tag !== undefined && !CORE_TAGS.has(n.tag)) tagIssue(n, n.tag);
    if (n.anchor) anchors.set(n.anchor, n);
    inProgress.add(n);
    let size = 1;
    if (isMap(n) || isSeq(n)) for (const item of n.items) size += visit(item, depth + 1);
    inProgress.delete(n);
    sizes.set(n, size);
    return size;
  };
  visit(doc.contents, 1);
  return issues;
}
