import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CreateDependencies,
  CreateDependenciesContext,
  DependencyType,
  RawProjectGraphDependency,
} from '@nx/devkit';
import { findImageCycles } from '../graph/cycles';
import type { Problem } from '../graph/problems';
import { warnProblems } from '../graph/report';
import { libraryUseFinder, libraryUseMatcher, readLibraryVersion, type InternalLibrary, type SourceFile } from '../library';
import { normaliseOptions, type ImagewisePluginOptions } from './options';
import { LOCK_FILE } from '../lock/lock-file';
import { imageDirectory } from './image-directory';
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
    const findUses = libraryUseFinder(libraries);
    const matchUse = libraryUseMatcher();
    for (const [name, { project }] of images) {
      const { uses, problems: found } = findUses(libraryDeclarations(context.workspaceRoot, project.root));
      problems.push(...found);
      for (const use of uses) {
        const library = libraries.find((l) => l.project === use.library)!;
        // Outside the range: the image uses a published release; docker:drift reports it.
        if (matchUse(use, library).tracksWorkspace) dependencies.push(staticEdge(name, library.project, use.file));
      }
    }
  }
  warnProblems(problems);
  return dedupe(dependencies);
};

function staticEdge(source: string, target: string, sourceFile: string): RawProjectGraphDependency {
  // The enum's value; importing @nx/devkit at run time is too slow for graph code.
  return { source, target, sourceFile, type: 'static' as DependencyType.static };
}

/** The configured libraries, or every non-image project with a package version. */
export function internalLibraries(
  context: Pick<CreateDependenciesContext, 'projects' | 'workspaceRoot'>,
  configured: string[] | undefined,
  imageNames: Set<string>,
): InternalLibrary[] {
  const libraries: InternalLibrary[] = [];
  const candidates = configured ?? Object.keys(context.projects).filter((name) => !imageNames.has(name));
  for (const name of candidates) {
    const project = context.projects[name];
    if (!project) continue;
    const js = (project.metadata as { js?: { packageName?: string; packageVersion?: string } } | undefined)?.js;
    const pyproject = join(context.workspaceRoot, project.root, 'pyproject.toml');
    if (js?.packageName && js.packageVersion) {
      libraries.push({ project: name, version: js.packageVersion, npmName: js.packageName });
    } else if (existsSync(pyproject)) {
      const read = readLibraryVersion(join(project.root, 'pyproject.toml'), readFileSync(pyproject, 'utf8'));
      if (read.version && read.name) libraries.push({ project: name, version: read.version, pythonName: read.name });
    }
  }
  return libraries;
}

/** The files of an image project that may declare a library: manifests and the Dockerfile's ARGs. */
export function libraryDeclarations(workspaceRoot: string, root: string): SourceFile[] {
  return [...imageDirectory(workspaceRoot, root)]
    .filter(([name]) => name !== '.dockerignore' && name !== 'project.json' && name !== LOCK_FILE)
    .map(([name, text]) => ({ path: join(root, name), text }));
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
