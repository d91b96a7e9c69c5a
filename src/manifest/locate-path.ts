import { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';

/** Where a field path lands in a document: the key node, the value node, or the nearest ancestor. */
export interface PathLocation {
  /** The offset of the best place to point at. */
  offset: number;
  /** Whether the whole path exists in the document. */
  found: boolean;
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? (node.resolve(doc) ?? node) : node;
}

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && (node.source === undefined || node.source === '');
}

/**
 * Finds where a zod issue path points in the YAML document. `at: 'key'` points at the key of the
 * last segment (unknown fields); `at: 'value'` at its value (wrong types), falling back to the key
 * when the value is empty. A path that is missing points at the key of its nearest existing parent.
 */
export function locatePath(doc: Document, path: readonly PropertyKey[], at: 'key' | 'value'): PathLocation {
  let current: unknown = resolve(doc, doc.contents);
  let keyNode: Node | undefined;
  const rootStart = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const segment of path) {
    let next: unknown;
    let nextKey: Node | undefined;
    if (isMap(current)) {
      const pair = current.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
      if (pair) {
        next = pair.value;
        nextKey = pair.key as Node;
      }
    } else if (isSeq(current) && typeof segment === 'number') {
      next = current.items[segment];
      nextKey = next as Node | undefined;
    }
    if (nextKey === undefined) return { offset: keyNode?.range?.[0] ?? rootStart, found: false };
    keyNode = nextKey;
    current = resolve(doc, next);
  }
  const valueNode = current as Node | null | undefined;
  const pointAtKey = at === 'key' || valueNode === null || valueNode === undefined || isEmptyScalar(valueNode);
  const node = pointAtKey ? (keyNode ?? valueNode) : valueNode;
  return { offset: node?.range?.[0] ?? rootStart, found: true };
}
