import type { TaskGraph } from 'nx/src/devkit-exports';
import { describe, expect, it } from 'vitest';
import { dependencyIds } from './task-graph';

const task = (id: string) => ({ id, target: { project: id.split(':')[0], target: 'docker:build' }, overrides: {}, outputs: [], parallelism: true });

describe('dependencyIds', () => {
  it('reads the task ids Nx 21-23 list', () => {
    const graph = {
      roots: ['base:docker:build'],
      tasks: {},
      dependencies: { 'svc:docker:build': ['base:docker:build'], 'base:docker:build': [] },
      continuousDependencies: {},
    };
    expect(dependencyIds(graph as unknown as TaskGraph, 'svc:docker:build')).toEqual(['base:docker:build']);
  });

  it('reads the edges Nx 24 lists', () => {
    const graph = {
      roots: ['base:docker:build'],
      tasks: { 'svc:docker:build': task('svc:docker:build'), 'base:docker:build': task('base:docker:build') },
      dependencies: { 'svc:docker:build': [{ id: 'base:docker:build' }], 'base:docker:build': [] },
      continuousDependencies: {},
    };
    expect(dependencyIds(graph as unknown as TaskGraph, 'svc:docker:build')).toEqual(['base:docker:build']);
    expect(dependencyIds(graph as unknown as TaskGraph, 'base:docker:build')).toEqual([]);
  });

  it('a task the graph does not list depends on nothing', () => {
    expect(dependencyIds({ roots: [], tasks: {}, dependencies: {}, continuousDependencies: {} } as unknown as TaskGraph, 'x')).toEqual([]);
  });
});
