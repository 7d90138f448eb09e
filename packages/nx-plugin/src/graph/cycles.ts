/** An edge that closes a cycle, and the cycle it closes (project names, first repeated last). */
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
    outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge]);
  }
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const cycles: ImageCycle<E>[] = [];
  const visit = (node: string) => {
    state.set(node, 'active');
    stack.push(node);
    for (const edge of outgoing.get(node) ?? []) {
      const seen = state.get(edge.target);
      if (seen === 'active') cycles.push({ edge, path: [...stack.slice(stack.indexOf(edge.target)), edge.target] });
      else if (!seen) visit(edge.target);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...outgoing.keys()].sort(compare)) if (!state.has(node)) visit(node);
  return cycles;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
