/**
 * The strongly connected component of each node of a graph given as
 * adjacency lists: two nodes share a number exactly when each reaches the
 * other, i.e. when they lie on one cycle. Tarjan's algorithm, linear in nodes
 * and edges, with an explicit stack: a hostile Dockerfile may have tens of
 * thousands of stages, deeper than the call stack. (Graph libraries on npm
 * bring a graph model of their own for these thirty lines.)
 */
export function stronglyConnectedComponents(edges: readonly (readonly number[])[]): number[] {
  const order = new Array<number>(edges.length).fill(-1);
  const low = new Array<number>(edges.length).fill(0);
  const component = new Array<number>(edges.length).fill(-1);
  const open: number[] = [];
  const isOpen = new Array<boolean>(edges.length).fill(false);
  let visited = 0;
  let components = 0;
  const enter = (node: number) => {
    order[node] = low[node] = visited++;
    open.push(node);
    isOpen[node] = true;
  };
  for (let root = 0; root < edges.length; root++) {
    if (order[root] !== -1) continue;
    enter(root);
    // Each frame: a node and how many of its edges have been followed.
    const frames: Array<[number, number]> = [[root, 0]];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const node = frame[0];
      if (frame[1] < edges[node].length) {
        const target = edges[node][frame[1]++];
        if (order[target] === -1) {
          enter(target);
          frames.push([target, 0]);
        } else if (isOpen[target]) {
          low[node] = Math.min(low[node], order[target]);
        }
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1][0];
        low[parent] = Math.min(low[parent], low[node]);
      }
      if (low[node] === order[node]) {
        let member: number;
        do {
          member = open.pop() as number;
          isOpen[member] = false;
          component[member] = components;
        } while (member !== node);
        components++;
      }
    }
  }
  return component;
}
