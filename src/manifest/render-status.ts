import { Document, isCollection, stringify, visit } from 'yaml';
import type { SparkJobStatus } from '../api/status.js';
import { renderStatusBlockFast } from './render-status-fast.js';

/** Renders `status:` as block YAML at an indentation, with the file's line ending, ending in a newline. */
export function renderStatusBlock(status: SparkJobStatus, indent: number, eol: '\n' | '\r\n'): string {
  return renderStatusBlockExact(status, indent, eol).text;
}

/**
 * renderStatusBlock, and whether the text was built by the direct renderer (render-status-fast.ts),
 * whose output reads back as the status by construction (no need to parse it to check).
 */
export function renderStatusBlockExact(status: SparkJobStatus, indent: number, eol: '\n' | '\r\n'): { text: string; exact: boolean } {
  const plain = JSON.parse(JSON.stringify(status)) as unknown;
  const fast = renderStatusBlockFast(plain, indent, eol);
  if (fast !== undefined) return { text: fast, exact: true };
  return { text: renderWithYaml(plain, indent, eol), exact: false };
}

function renderWithYaml(plain: unknown, indent: number, eol: '\n' | '\r\n'): string {
  // No block scalars: a keep-chomped one (`|+`) at the end would swallow the blank lines after the block.
  const yaml = stringify({ status: plain }, { indent: 2, lineWidth: 0, minContentWidth: 0, version: '1.2', blockQuote: false });
  const pad = ' '.repeat(indent);
  const lines = yaml.replace(/\n$/, '').split('\n');
  return lines.map((l) => (l === '' ? l : pad + l)).join(eol) + eol;
}

/** Renders a status as one flow-style YAML value (for manifests written as a single flow mapping). */
export function renderStatusFlow(status: SparkJobStatus): string {
  const doc = new Document(JSON.parse(JSON.stringify(status)) as unknown, { version: '1.2' });
  visit(doc, {
    Node(_key, node) {
      if (isCollection(node)) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 }).trimEnd();
}
