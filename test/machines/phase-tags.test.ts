import { describe, expect, it } from 'vitest';
import type { AnyStateNode } from 'xstate';
import { PHASES } from '../../src/api/status.js';
import { sparkJobMachine } from '../../src/machines/spark-job-machine.js';

/** Every leaf state with the tags of its path from the root. */
function leaves(node: AnyStateNode, inherited: readonly string[] = []): Array<{ id: string; tags: string[] }> {
  const tags = [...inherited, ...node.tags];
  const children = Object.values(node.states) as AnyStateNode[];
  return children.length === 0 ? [{ id: node.id, tags }] : children.flatMap((c) => leaves(c, tags));
}

describe('phase tags', () => {
  it('every state of the SparkJob machine shows exactly one phase, from its tags', () => {
    const all = leaves(sparkJobMachine.root);
    expect(all.length).toBeGreaterThan(15);
    for (const leaf of all) {
      const phases = leaf.tags.filter((t) => (PHASES as readonly string[]).includes(t));
      expect({ id: leaf.id, phases: phases.length }).toEqual({ id: leaf.id, phases: 1 });
    }
  });
});
