import type { CreateDependencies, DependencyType, RawProjectGraphDependency } from '@nx/devkit';
import { findImageCycles } from '../graph/cycles';
import type { Problem } from '../graph/problems';
import { warnProblems } from '../graph/report';
import { saveGraphCachesSoon } from './graph-cache';
import { internalLibraries, trackedLibraryUses } from './library-edges';
import { normaliseOptions, type ImagewisePluginOptions } from './options';
import { dockerfileOf, imageProjects } from './project-metadata';

/**
 * Edges from each image project: to the workspace images its FROM lines track,
 * to its upstream images (external nodes), and to the internal libraries whose
 * workspace version its declared range accepts. All static, from the file
 * that declares them.
 */
export const createDependencies: CreateDependencies<ImagewisePluginOptions> = (rawOptions, context) => {
  const options = normaliseOptions(rawOptions);
  const images = imageProjects(context.projects);
  const nameByRoot = new Map(Object.entries(context.projects).map(([name, project]) => [project.root, name]));
  const problems: Problem[] = [];

  const imageEdges: RawProjectGraphDependency[] = [];
  for (const [name, { project, metadata }] of images) {
    for (const root of metadata.baseImages) {
      const target = nameByRoot.get(root);
      if (target) imageEdges.push(staticEdge(name, target, dockerfileOf(project.root)));
    }
  }
  // A cycle would make every image in it wait for the others: drop its closing edges.
  const cycles = findImageCycles(imageEdges);
  for (const cycle of cycles) {
    problems.push({ file: dockerfileOf(images.get(cycle.edge.source)!.project.root), line: 0, message: `images build FROM each other in a cycle (${cycle.path.join(' → ')}); break it` });
  }
  const dependencies = imageEdges.filter((edge) => !cycles.some((cycle) => cycle.edge === edge));

  for (const [name, { project, metadata }] of images) {
    for (const reference of metadata.upstreamImages) {
      const node = `docker:${reference}`;
      if (context.externalNodes?.[node]) dependencies.push(staticEdge(name, node, dockerfileOf(project.root)));
    }
  }

  const libraries = internalLibraries(context, options.libraries, new Set(images.keys()));
  if (libraries.length) {
    const tracked = trackedLibraryUses(images, libraries, context.workspaceRoot, rawOptions);
    for (const use of tracked.uses) dependencies.push(staticEdge(use.image, use.library, use.file));
    problems.push(...tracked.problems);
  }
  warnProblems(problems);
  void saveGraphCachesSoon();
  return dedupe(dependencies);
};

function staticEdge(source: string, target: string, sourceFile: string): RawProjectGraphDependency {
  // The enum's value; importing @nx/devkit at run time is too slow for graph code.
  return { source, target, sourceFile, type: 'static' as DependencyType.static };
}

function dedupe(edges: RawProjectGraphDependency[]): RawProjectGraphDependency[] {
  const seen = new Set<string>();
  return edges.filter((edge) => {
    const key = `${edge.source}\0${edge.target}\0${'sourceFile' in edge ? edge.sourceFile : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
