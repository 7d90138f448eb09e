import { describe, expect, it } from 'vitest';
import { stronglyConnectedComponents } from './strongly-connected';

/** Whether two nodes share a component: what callers ask. */
const together = (components: number[], a: number, b: number) => components[a] === components[b];

describe('stronglyConnectedComponents', () => {
  it('puts the nodes of a cycle together and the rest apart', () => {
    // 0 → 1 → 2 → 0 is a cycle; 3 → 0 and 2 → 4 are not on it.
    const components = stronglyConnectedComponents([[1], [2], [0, 4], [0], []]);
    expect(together(components, 0, 1) && together(components, 1, 2)).toBe(true);
    expect(together(components, 0, 3)).toBe(false);
    expect(together(components, 0, 4)).toBe(false);
    expect(new Set(components).size).toBe(3);
  });

  it('treats a self loop as a node of its own and two cycles joined one way as two', () => {
    const components = stronglyConnectedComponents([[0], [2], [1, 3], [4], [3]]);
    expect(together(components, 1, 2)).toBe(true);
    expect(together(components, 3, 4)).toBe(true);
    expect(together(components, 2, 3)).toBe(false);
    expect(together(components, 0, 1)).toBe(false);
  });

  it('follows a chain far deeper than the call stack', () => {
    const count = 200_000;
    const edges = Array.from({ length: count }, (_, i) => [(i + 1) % count]);
    const components = stronglyConnectedComponents(edges);
    expect(new Set(components).size).toBe(1);
    edges[count - 1] = [];
    expect(new Set(stronglyConnectedComponents(edges)).size).toBe(count);
  });
});
