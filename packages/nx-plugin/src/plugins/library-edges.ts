import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateDependenciesContext } from 'nx/src/devkit-exports';
import {
  libraryUseFinder,
  matchLibraryUse,
  readLibraryVersion,
  useMatchKey,
  type FoundUses,
  type InternalLibrary,
  type LibraryProblem,
  type Match,
  type SourceFile,
} from '../library';
import { LOCK_FILE } from '../lock/lock-file';
import { keyOfTexts, openGraphCache } from './graph-cache';
import { imageDirectory } from './image-directory';
import { readGraphFile } from './read-graph-file';
import type { ImageProjectEntry } from './project-metadata';
import type { ImagewisePluginOptions } from './options';

/** An image project's use of a library at a version the workspace's satisfies: an edge. */
export interface TrackedLibraryUse {
  image: string;
  library: string;
}

/**
 * The uses of the internal libraries that track their workspace versions, by
 * image project, and the problems found reading the declarations. Each use
 * and each match is worked out once per change of what it depends on (the
 * declaring files and the libraries' names; the spec and the library's
 * version) and cached across commands.
 */
export function trackedLibraryUses(
  images: Map<string, ImageProjectEntry>,
  libraries: InternalLibrary[],
  workspaceRoot: string,
  options: ImagewisePluginOptions | undefined,
): { uses: TrackedLibraryUse[]; problems: LibraryProblem[] } {
  const names = JSON.stringify(libraries.map((l) => [l.project, l.npmName, l.pythonName, l.argName]));
  const usesCache = openGraphCache<FoundUses>('library-uses', workspaceRoot, options);
  const matchCache = openGraphCache<Match>('library-matches', workspaceRoot, options);
  const findUses = libraryUseFinder(libraries);
  const tracked: TrackedLibraryUse[] = [];
  const problems: LibraryProblem[] = [];
  for (const [image, { project }] of images) {
    const files = libraryDeclarations(workspaceRoot, project.root);
    const found = usesCache.get(keyOfTexts([names, ...files.flatMap((file) => [file.path, file.text])]), () => findUses(files));
    problems.push(...found.problems);
    for (const use of found.uses) {
      const library = libraries.find((l) => l.project === use.library)!;
      // Outside the range: the image uses a published release; docker:drift reports it.
      if (matchCache.get(useMatchKey(use, library), () => matchLibraryUse(use, library)).tracksWorkspace) {
        tracked.push({ image, library: library.project });
      }
    }
  }
  return { uses: tracked, problems };
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
      // Read as the image projects' files are: a FIFO or a huge file here must not hang the graph.
      const file = readGraphFile(pyproject);
      const read = 'text' in file ? readLibraryVersion(join(project.root, 'pyproject.toml'), file.text) : {};
      if (read.version && read.name) libraries.push({ project: name, version: read.version, pythonName: read.name });
    }
  }
  return libraries;
}

/** The files of an image project that may declare a library: manifests and the Dockerfile's ARGs. */
export function libraryDeclarations(workspaceRoot: string, root: string): SourceFile[] {
  return [...imageDirectory(workspaceRoot, root).files]
    .filter(([name]) => !name.endsWith('.dockerignore') && name !== 'project.json' && name !== LOCK_FILE)
    .map(([name, text]) => ({ path: join(root, name), text }));
}
