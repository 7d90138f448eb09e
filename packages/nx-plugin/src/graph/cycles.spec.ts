import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findImageCycles } from './cycles';

interface Edge {
  source: string;
  target: string;
  id?: number;
}

const edge = (source: string, target: string, id?: number): Edge => (id === undefined ? { source, target } : { source, target, id });

/** Kahn's algorithm: true when the edges form no cycle. */
function isAcyclic(edges: Edge[]): boolean {
  const nodes = new Set(edges.flatMap((e) => [e.source, e.target]));
  const indegree = new Map([...nodes].map((n) => [n, 0]));
  for (const e of edges) indegree.set(e.target, indegree.get(e.target)! + 1);
  const ready = [...nodes].filter((n) => indegree.get(n) === 0);
  let removed = 0;
  while (ready.length) {
    const node = ready.pop()!;
    removed++;
    for (const e of edges) {
      if (e.source !== node) continue;
      indegree.set(e.target, indegree.get(e.target)! - 1);
      if (indegree.get(e.target) === 0) ready.push(e.target);
    }
  }
  return removed === nodes.size;
}

const NODES = ['a', 'b', 'c', 'd', 'e', 'f', 'ia', 'ka', 'ya', 'B', 'node-base'];
const edges = fc
  .array(fc.record({ source: fc.constantFrom(...NODES), target: fc.constantFrom(...NODES) }), { maxLength: 30 })
  .map((list) => list.map((e, id) => ({ ...e, id })));

describe('findImageCycles', () => {
  it('finds nothing in an acyclic graph', () => {
    expect(findImageCycles([edge('a', 'b'), edge('b', 'c'), edge('a', 'c'), edge('d', 'c')])).toEqual([]);
    expect(findImageCycles([])).toEqual([]);
  });

  it('returns the edge that closes a cycle, and the cycle from its target back to it', () => {
    const closing = edge('c', 'a');
    const cycles = findImageCycles([edge('a', 'b'), edge('b', 'c'), closing, edge('c', 'd')]);
    expect(cycles).toEqual([{ edge: closing, path: ['a', 'b', 'c', 'a'] }]);
    expect(cycles[0].edge).toBe(closing);
  });

  it('reports a self edge as a cycle of one', () => {
    const self = edge('a', 'a');
    expect(findImageCycles([self])).toEqual([{ edge: self, path: ['a', 'a'] }]);
  });

  it('reports each of two cycles through one node', () => {
    const cycles = findImageCycles([edge('a', 'b'), edge('b', 'a'), edge('a', 'c'), edge('c', 'a')]);
    expect(cycles.map((c) => c.path)).toEqual([
      ['a', 'b', 'a'],
      ['a', 'c', 'a'],
    ]);
  });

  it('starts from the first node in code-point order, whatever the input order', () => {
    // Two-node cycle: the search starts at the smaller name, so the edge back to it is dropped.
    expect(findImageCycles([edge('b', 'a'), edge('a', 'b')]).map((c) => c.edge)).toEqual([edge('b', 'a')]);
    expect(findImageCycles([edge('a', 'b'), edge('b', 'a')]).map((c) => c.edge)).toEqual([edge('b', 'a')]);
    // Code points, not the locale: 'B' (0x42) comes before 'a' (0x61).
    expect(findImageCycles([edge('a', 'B'), edge('B', 'a')]).map((c) => c.edge)).toEqual([edge('a', 'B')]);
  });

  it('visits targets in code-point order, so which edge closes a cycle does not depend on the locale', () => {
    // From A: "B" < "a" in code points, though most locales collate "a" first.
    const cycles = findImageCycles([edge('A', 'a'), edge('A', 'B'), edge('a', 'B'), edge('B', 'a')]);
    expect(cycles.map((c) => c.edge)).toEqual([edge('a', 'B')]);
    expect(cycles[0].path).toEqual(['B', 'a', 'B']);
  });

  it('follows a chain of images far deeper than the call stack', () => {
    const count = 100_000;
    const chain = Array.from({ length: count }, (_, i) => edge(`image-${i}`, `image-${(i + 1) % count}`));
    const cycles = findImageCycles(chain);
    expect(cycles).toHaveLength(1);
    expect(cycles[0].path).toHaveLength(count + 1);
  });

  it('property: removing the returned edges leaves an acyclic graph', () => {
    fc.assert(
      fc.property(edges, (list) => {
        const dropped = new Set(findImageCycles(list).map((c) => c.edge));
        expect(isAcyclic(list.filter((e) => !dropped.has(e)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('property: returns only given edges, each once, and none when the graph is acyclic', () => {
    fc.assert(
      fc.property(edges, (list) => {
        const cycles = findImageCycles(list);
        const returned = cycles.map((c) => c.edge);
        expect(returned.every((e) => list.includes(e))).toBe(true);
        expect(new Set(returned).size).toBe(returned.length);
        if (isAcyclic(list)) expect(cycles).toEqual([]);
        else expect(cycles.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('property: each path is a real cycle closed by its edge', () => {
    fc.assert(
      fc.property(edges, (list) => {
        const present = new Set(list.map((e) => `${e.source}>${e.target}`));
        for (const { edge: closing, path } of findImageCycles(list)) {
          expect(path[0]).toBe(path[path.length - 1]);
          expect(path[path.length - 1]).toBe(closing.target);
          expect(path[path.length - 2]).toBe(closing.source);
          for (let i = 0; i + 1 < path.length; i++) expect(present.has(`${path[i]}>${path[i + 1]}`)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: stable choice, the same (source, target) pairs are dropped for any input order', () => {
    fc.assert(
      fc.property(
        edges.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }))),
        ([list, shuffled]) => {
          const pairs = (l: Edge[]) => findImageCycles(l).map((c) => [c.edge.source, c.edge.target, c.path]);
          expect(pairs(shuffled)).toEqual(pairs(list));
        },
      ),
      { numRuns: 300 },
    );
  });
});
