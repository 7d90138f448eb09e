import { dirname, join } from 'node:path';
import { getProjects, logger, readJson, writeJson, type GeneratorCallback, type Tree } from 'nx/src/devkit-exports';
import { addImageWorkspaces } from '../init/nx-json';
import { normalizePythonName, type InternalLibrary } from '../../library';
import { chooseBase, chooseLibrary, packageNameOf, type Language } from '../shared/libraries';
import { npmRangeFor, pep440RangeFor } from '../shared/library-ranges';
import { formatFiles, generateFiles, installPackages, offsetFromRoot } from '../shared/generator-tools';
import { checkImageName, projectTags } from '../shared/names';
import { imageParentDirectory, readTreeWorkspace, selectsDockerfile } from '../shared/workspace';

export interface ServiceGeneratorSchema {
  name: string;
  language?: Language;
  /** Base image to build FROM (image or directory name); default the only one bundling a library of the language. */
  base?: string;
  /** Internal library to depend on (project or package name); default the one the base image bundles. */
  library?: string;
  /** Comma-separated extra project tags. */
  tags?: string;
  /** Parent folder; default: the one the workspace's other images of this kind share, else services/. */
  directory?: string;
  skipFormat?: boolean;
  skipInstall?: boolean;
}

/** What a Node service builds and tests with, added to the root package.json when missing. */
export const NODE_TOOLS: Record<string, string> = { typescript: '6.0.3', vitest: '^4.1.12', '@types/node': '^20.19.0' };

/**
 * A service under <directory>/<name> (services/ unless the workspace's services share another folder): a health endpoint on the internal library,
 * a unit test, and a Dockerfile FROM a workspace base image at its current
 * version; in Node/TypeScript or Python.
 */
export default async function serviceGenerator(tree: Tree, schema: ServiceGeneratorSchema): Promise<GeneratorCallback | undefined> {
  const name = checkImageName(schema.name, 'service');
  const language = schema.language ?? 'node';
  const workspace = readTreeWorkspace(tree);
  const root = join(imageParentDirectory(workspace, 'service', 'services', schema.directory), name);
  if (!selectsDockerfile(workspace, join(root, 'Dockerfile'))) {
    throw new Error(
      `${root}/Dockerfile would not be an image project: the plugin's "dockerfiles" globs (${workspace.options.dockerfiles.join(', ')}) do not select it; pass --directory under one of them, or widen the option in nx.json`,
    );
  }
  if (tree.exists(root)) throw new Error(`${root} already exists; choose another name or delete it first`);
  const claimed = workspace.images.find((image) => image.imageName === name);
  if (claimed) throw new Error(`image name "${name}" is already built by ${claimed.dockerfile}; choose another name`);

  const base = chooseBase(tree, workspace, language, schema.base);
  const library = schema.library || !base.library ? chooseLibrary(workspace.libraries, language, schema.library) : base.library;
  if (base.library && base.library !== library) {
    logger.warn(
      `${base.image.dockerfile} bundles ${packageNameOf(base.library, language)}, not ${packageNameOf(library, language)}: ${root}'s image has it only if its Dockerfile installs it`,
    );
  }
  const libraryName = packageNameOf(library, language)!;

  generateFiles(tree, join(__dirname, 'files', language), root, {
    dot: '.',
    name,
    baseImage: base.image.imageName,
    baseVersion: base.version,
    libraryName,
    libraryModule: pythonModuleOf(libraryName),
    libraryRange: language === 'python' ? pep440RangeFor(library.version) : npmRangeFor(library.version),
    extendsBase: tree.exists('tsconfig.base.json'),
    offsetFromRoot: offsetFromRoot(root),
  });
  const tags = projectTags(workspace.options.serviceTag, language, schema.tags);
  const manifest =
    language === 'node' ? nodeManifest(name, tags, libraryName, library.version) : pythonManifest(name, root, tags, libraryImportRoot(tree, library, root));
  addImageWorkspaces(tree, [dirname(root)]);
  writeJson(tree, join(root, 'package.json'), manifest);
  if (language === 'node') addMissingTools(tree);

  if (!schema.skipFormat) await formatFiles(tree);
  return schema.skipInstall ? undefined : () => installPackages(tree);
}

function nodeManifest(name: string, tags: string[], libraryName: string, libraryVersion: string) {
  return {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { build: 'tsc -p tsconfig.lib.json', test: 'vitest run' },
    dependencies: { [libraryName]: npmRangeFor(libraryVersion) },
    nx: {
      tags,
      targets: {
        // Both compile against, or import, the library's build.
        build: { dependsOn: ['^build'], outputs: ['{projectRoot}/dist'] },
        test: { dependsOn: ['^build'] },
      },
    },
  };
}

/** The module a Python distribution is imported as, by the usual convention: `imagewise-common` → `imagewise_common`. */
function pythonModuleOf(distribution: string): string {
  return normalizePythonName(distribution).replace(/-/g, '_');
}

/**
 * Where the tests import the workspace's copy of the Python library from,
 * relative to the service: its src/ layout, else its root. (In the image, the
 * base image has installed it.)
 */
function libraryImportRoot(tree: Tree, library: InternalLibrary, serviceRoot: string): string {
  const root = getProjects(tree).get(library.project)!.root;
  const module = pythonModuleOf(library.pythonName!);
  const importRoot = tree.exists(join(root, 'src', module)) ? join(root, 'src') : root;
  return join(offsetFromRoot(serviceRoot), importRoot);
}

/** A package.json all the same: it carries the image's version and the project's name, tags and targets. */
function pythonManifest(name: string, root: string, tags: string[], libraryImportRoot: string) {
  return {
    name,
    version: '0.1.0',
    private: true,
    nx: {
      tags,
      targets: {
        test: {
          command: "python3 -m unittest discover -s src -p 'test_*.py'",
          options: { cwd: root, env: { PYTHONPATH: libraryImportRoot } },
          cache: true,
        },
      },
    },
  };
}

function addMissingTools(tree: Tree): void {
  if (!tree.exists('package.json')) return;
  const manifest = readJson<{ dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>(tree, 'package.json');
  const missing = Object.entries(NODE_TOOLS).filter(([tool]) => !manifest.dependencies?.[tool] && !manifest.devDependencies?.[tool]);
  if (missing.length === 0) return;
  writeJson(tree, 'package.json', { ...manifest, devDependencies: { ...manifest.devDependencies, ...Object.fromEntries(missing) } });
}
