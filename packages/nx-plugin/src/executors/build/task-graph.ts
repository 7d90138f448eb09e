import type { TaskGraph } from 'nx/src/devkit-exports';

/** How Nx lists what a task depends on: task ids up to Nx 23, edges `{ id, … }` from Nx 24. */
type TaskDependency = string | { id: string };

/** The ids of the tasks `id` depends on, in the task graph of any supported Nx. */
export function dependencyIds(taskGraph: TaskGraph, id: string): string[] {
  const dependencies = (taskGraph.dependencies[id] ?? []) as readonly TaskDependency[];
  return dependencies.map((dependency) => (typeof dependency === 'string' ? dependency : dependency.id));
}
