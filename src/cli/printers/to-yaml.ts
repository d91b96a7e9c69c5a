import { Document, visit } from 'yaml';
import { escapeJson, hasUnsafeChars } from '../../escape-text.js';

// Apart from job-object.ts: the yaml package loads only for the runs that print YAML.

/**
 * Block-style YAML. A string holding a control or bidi character is written double-quoted, where
 * the encoder escapes C0 itself and the rest is written as `\uXXXX`: the same strings, nothing raw on a terminal.
 */
export function toYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && hasUnsafeChars(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return escapeJson(doc.toString({ lineWidth: 0 }));
}
