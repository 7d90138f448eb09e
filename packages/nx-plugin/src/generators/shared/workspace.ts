import { basename, join } from 'node:path/posix';
import { getProjects, glob, readNxJson, type Tree } from 'nx/src/devkit-exports';
import { readImageProject, type ImageProject } from '../../graph/image-project';
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
  libraries: InternalLibrary[];
}

export function readTreeWorkspace(tree: Tree): TreeWorkspace {
  const options = normaliseOptions(pluginOptionsFromNxJson(readNxJson(tree) ?? undefined));
  const images = readTreeImages(tree, options);
  const libraries = readTreeLibraries(tree, options.libraries, new Set(images.map((image) => image.root)));
  return { options, images, libraries };
}

/** The image projects the plugin would make: Dockerfiles its `dockerfiles` globs select. */
function readTreeImages(tree: Tree, options: NormalisedOptions): ImageProject[] {
  return glob(tree, options.dockerfiles)
    .filter((path) => basename(path) === 'Dockerfile')
    .sort()
    .map((dockerfile) => {
      const root = dockerfile.slice(0, -'/Dockerfile'.length);
      const read = (name: string) => tree.read(join(root, name), 'utf-8') ?? undefined;
      return readImageProject({
        dockerfile,
        dockerfileText: read('Dockerfile') ?? '',
        dockerignoreText: read('.dockerignore'),
        projectJsonText: read('project.json'),
        packageJsonText: read('package.json'),
        lockText: read(LOCK_FILE),
      });
    });
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

/** Base images, as the plugin tags them: image projects under images/. */
export function isBaseImage(image: ImageProject): boolean {
  return image.root.split('/')[0] === 'images';
}
