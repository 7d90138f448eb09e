import { basename, dirname, join } from 'node:path/posix';
import { minimatch } from 'minimatch';
import { getProjects, glob, readNxJson, type Tree } from 'nx/src/devkit-exports';
import { dockerfilesByDirectory, imagesOfDirectory } from '../../graph/dockerfile-names';
import { buildImageGraph } from '../../graph/image-graph';
import { readImageProject, type ImageProject } from '../../graph/image-project';
import { nameImageProjects } from '../../graph/project-names';
import { readLibraryVersion, scannerFor, type InternalLibrary, type SourceFile } from '../../library';
import { LOCK_FILE } from '../../lock/lock-file';
import { normaliseOptions, pluginOptionsFromNxJson, type NormalisedOptions } from '../../plugins/options';

/**
 * What the generators need to know about a workspace, read from the Tree (so a
 * dry run, or a generator run after another, sees the pending files) with the
 * same core the graph uses on disk.
 */
export interface TreeWorkspace {
  options: NormalisedOptions;
  images: ImageProject[];
  /** Roots of the images other workspace images build FROM, as the graph sees them. */
  baseImages: Set<string>;
  /** Roots of the images built FROM a workspace image that nothing builds FROM in turn. */
  serviceImages: Set<string>;
  libraries: InternalLibrary[];
}

export function readTreeWorkspace(tree: Tree): TreeWorkspace {
  const options = normaliseOptions(pluginOptionsFromNxJson(readNxJson(tree) ?? undefined));
  const images = readTreeImages(tree, options);
  const libraries = readTreeLibraries(tree, options.libraries, new Set(images.map((image) => image.root)));
  const { baseImages, dependencies } = buildImageGraph(images, { registries: options.registries });
  const rootOf = new Map(images.map((image) => [image.dockerfile, image.root]));
  const serviceImages = new Set(
    [...dependencies]
      .filter(([dockerfile, found]) => found.images.length > 0 && !baseImages.has(rootOf.get(dockerfile)!))
      .map(([dockerfile]) => rootOf.get(dockerfile)!),
  );
  return { options, images, baseImages, serviceImages, libraries };
}

/** The images the plugin would make: Dockerfiles its `dockerfiles` globs select, named by the same rule (dockerfile-names.ts). */
function readTreeImages(tree: Tree, options: NormalisedOptions): ImageProject[] {
  const images = [...dockerfilesByDirectory(glob(tree, options.dockerfiles).sort())].flatMap(([root, names]) => {
    const read = (name: string) => tree.read(join(root, name), 'utf-8') ?? undefined;
    return imagesOfDirectory(root, names, new Set(tree.children(root))).images.map((image) =>
      readImageProject({
        dockerfile: image.dockerfile,
        key: image.key,
        buildTarget: image.buildTarget,
        dockerignore: image.dockerignore,
        dockerfileText: read(basename(image.dockerfile)) ?? '',
        dockerignoreText: read(image.dockerignore),
        projectJsonText: read('project.json'),
        packageJsonText: read('package.json'),
        lockText: read(LOCK_FILE),
      }),
    );
  });
  return nameImageProjects(images);
}

/**
 * The internal libraries, as the graph counts them (plugins/dependencies'
 * internalLibraries): the configured projects, else every non-image project
 * with a package version; npm flavour from package.json, Python flavour from
 * pyproject.toml.
 */
function readTreeLibraries(tree: Tree, configured: string[] | undefined, imageRoots: Set<string>): InternalLibrary[] {
  const libraries: InternalLibrary[] = [];
  for (const [name, project] of getProjects(tree)) {
    if (imageRoots.has(project.root) || (configured && !configured.includes(name))) continue;
    const packageJson = join(project.root, 'package.json');
    const pyproject = join(project.root, 'pyproject.toml');
    if (tree.exists(packageJson)) {
      const read = readLibraryVersion(packageJson, tree.read(packageJson, 'utf-8')!);
      if (read.version && read.name) {
        libraries.push({ project: name, version: read.version, npmName: read.name });
        continue;
      }
    }
    if (tree.exists(pyproject)) {
      const read = readLibraryVersion(pyproject, tree.read(pyproject, 'utf-8')!);
      if (read.version && read.name) libraries.push({ project: name, version: read.version, pythonName: read.name });
    }
  }
  return libraries.sort((a, b) => (a.project < b.project ? -1 : 1));
}

/** The files of an image project that may ask for a library: manifests and the Dockerfile. */
export function declarationFiles(tree: Tree, root: string): SourceFile[] {
  return tree
    .children(root)
    .filter((name) => scannerFor(name) !== undefined && tree.isFile(join(root, name)))
    .sort()
    .map((name) => ({ path: join(root, name), text: tree.read(join(root, name), 'utf-8')! }));
}

/**
 * Where a new image of a kind goes: `requested` (the generator's
 * `--directory`), else the folder every existing image of that kind shares,
 * else `fallback`. The workspace's layout decides, not a hard-coded name.
 */
export function imageParentDirectory(workspace: TreeWorkspace, kind: 'base' | 'service', fallback: string, requested?: string): string {
  if (requested) return requested.replace(/\/+$/, '');
  // By the graph, or by the kind a project declares (a base image nothing builds on yet).
  const tag = kind === 'base' ? workspace.options.baseImageTag : workspace.options.serviceTag;
  const ofKind = workspace.images.filter(
    (image) => (kind === 'base' ? workspace.baseImages : workspace.serviceImages).has(image.root) || image.declared.tags?.includes(tag),
  );
  const parents = new Set(ofKind.map((image) => dirname(image.root)));
  return parents.size === 1 ? [...parents][0] : fallback;
}

/** Whether the plugin's `dockerfiles` globs select a Dockerfile at this path: else the new image would be no project. */
export function selectsDockerfile(workspace: TreeWorkspace, dockerfile: string): boolean {
  return workspace.options.dockerfiles.some((glob) => minimatch(dockerfile, glob));
}
