import type { CreateDependencies, DependencyType, RawProjectGraphDependency } from 'nx/src/devkit-exports';
import { limitProblems, type Problem } from '../graph/problems';
import { warnProblems } from '../graph/report';
import { saveGraphCachesSoon } from './graph-cache';
import { internalLibraries, trackedLibraryUses } from './library-edges';
import { normaliseOptions, type ImagewisePluginOptions } from './options';
import { imageProjects } from './project-metadata';

/**
 * Edges from each image project: to the workspace images its FROM lines track,
 * to its upstream images (external nodes), and to the internal libraries whose
 * workspace version its declared range accepts.
 *
 * All implicit, with no source file. Nx keeps a file's static and dynamic
 * edges in its file map and, for a file that did not change, restores the
 * cached ones over whatever the plugin returns this time. An image edge
 * depends on more than the Dockerfile that names the base (build args in
 * project.json, the base's version in its package.json, the library's
 * version), so a file-bound edge would go stale after a config-only edit
 * until `nx reset`. Implicit edges are taken as returned, on every command.
 */
export const createDependencies: CreateDependencies<ImagewisePluginOptions> = (rawOptions, context) => {
  const options = normaliseOptions(rawOptions);
  const images = imageProjects(context.projects);
  const nameByRoot = new Map(Object.entries(context.projects).map(([name, project]) => [project.root, name]));
  const problems: Problem[] = [];

  // The graph dropped the edges that would close a cycle (and reported them) already.
  const dependencies: RawProjectGraphDependency[] = [];
  for (const [name, { metadata }] of images) {
    for (const root of metadata.baseImages) {
      const target = nameByRoot.get(root);
      if (target) dependencies.push(edge(name, target));
    }
  }

  for (const [name, { metadata }] of images) {
    for (const reference of metadata.upstreamImages) {
      const node = `docker:${reference}`;
      if (context.externalNodes?.[node]) dependencies.push(edge(name, node));
    }
  }

  const libraries = internalLibraries(context, options.libraries, new Set(images.keys()));
  if (libraries.length) {
    const tracked = trackedLibraryUses(images, libraries, context.workspaceRoot, rawOptions);
    for (const use of tracked.uses) dependencies.push(edge(use.image, use.library));
    problems.push(...tracked.problems);
  }
  warnProblems(limitProblems(problems));
  void saveGraphCachesSoon();
  return dedupe(dependencies);
};

function edge(source: string, target: string): RawProjectGraphDependency {
  // The enum's value; importing Nx's devkit exports at run time is too slow for graph code.
  return { source, target, type: 'implicit' as DependencyType.implicit };
}

function dedupe(edges: RawProjectGraphDependency[]): RawProjectGraphDependency[] {
  const seen = new Set<string>();
  return edges.filter(({ source, target }) => {
    const key = `${source}\0${target}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
