/** An edge that closes a cycle, and the cycle it closes (its nodes, the first repeated last). */
export interface ImageCycle<E> {
  edge: E;
  path: string[];
}

/**
 * Finds edges that close cycles, by depth-first search in a stable order, so the
 * same workspace always drops the same edges. Removing them leaves no cycle.
 */
export function findImageCycles<E extends { source: string; target: string }>(edges: E[]): ImageCycle<E>[] {
  const outgoing = new Map<string, E[]>();
  // Code-point order: localeCompare follows the machine's locale, so two machines could drop different edges.
  for (const edge of [...edges].sort((a, b) => compare(a.source, b.source) || compare(a.target, b.target))) {
    const from = outgoing.get(edge.source);
    if (from) from.push(edge);
    else outgoing.set(edge.source, [edge]);
  }
  const state = new Map<string, 'active' | 'done'>();
  // The active path, and for each node on it how many of its edges were followed;
  // a loop, not recursion: a chain of thousands of images is deeper than the call stack.
  const path: string[] = [];
  const followed: number[] = [];
  const cycles: ImageCycle<E>[] = [];
  const visit = (start: string) => {
    state.set(start, 'active');
    path.push(start);
    followed.push(0);
    while (path.length > 0) {
      const node = path[path.length - 1];
      const edge = (outgoing.get(node) ?? [])[followed[followed.length - 1]++];
      if (edge === undefined) {
        path.pop();
        followed.pop();
        state.set(node, 'done');
        continue;
      }
      const seen = state.get(edge.target);
      if (seen === 'active') cycles.push({ edge, path: [...path.slice(path.indexOf(edge.target)), edge.target] });
      else if (!seen) {
        state.set(edge.target, 'active');
        path.push(edge.target);
        followed.push(0);
      }
    }
  };
  for (const node of [...outgoing.keys()].sort(compare)) if (!state.has(node)) visit(node);
  return cycles;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
