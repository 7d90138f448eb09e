import { findLibraryUses, samePythonName, type InternalLibrary } from '../../library';
import type { ImageProject } from '../../graph/image-project';
import type { Tree } from 'nx/src/devkit-exports';
import { declarationFiles, type TreeWorkspace } from './workspace';

/** What an image runs: Node (the library's npm flavour) or Python (its Python flavour). */
export type Language = 'node' | 'python';

/** The library's package name in a language, undefined when it has no such flavour. */
export function packageNameOf(library: InternalLibrary, language: Language): string | undefined {
  return language === 'node' ? library.npmName : library.pythonName;
}

/**
 * The library a new image uses: the one `requested` names (project or package
 * name), else the only library of the language. Throws, saying what to pass,
 * when there is none or several.
 */
export function chooseLibrary(libraries: InternalLibrary[], language: Language, requested?: string): InternalLibrary {
  const ofLanguage = libraries.filter((library) => packageNameOf(library, language) !== undefined);
  if (requested) {
    const found = ofLanguage.find(
      (library) =>
        library.project === requested || library.npmName === requested || (library.pythonName !== undefined && samePythonName(library.pythonName, requested)),
    );
    if (found) return found;
    throw new Error(
      `--library=${requested}: no internal ${language} library has that project or package name` +
        `${ofLanguage.length ? ` (there are: ${listed(ofLanguage, language)})` : ''}; the libraries are the plugin's "libraries" option, else every workspace project with a package version`,
    );
  }
  if (ofLanguage.length === 1) return ofLanguage[0];
  if (ofLanguage.length === 0) {
    throw new Error(
      `the workspace has no internal ${language} library (${language === 'node' ? 'a project whose package.json has a name and version' : 'a project with a pyproject.toml name and version'}); create it first, or pass --library`,
    );
  }
  throw new Error(
    `several internal ${language} libraries could be meant (${listed(ofLanguage, language)}); pass --library=<name>, or list the libraries in the plugin's options (nx g @imagewise/nx-plugin:init --libraries=<name>)`,
  );
}

function listed(libraries: InternalLibrary[], language: Language): string {
  return libraries.map((library) => packageNameOf(library, language)).join(', ');
}

/** The libraries an image asks for, each with how: a manifest's dependency, or a Dockerfile ARG naming its version (bundled). */
function libraryUsesOf(tree: Tree, image: ImageProject, libraries: InternalLibrary[]): Array<{ library: InternalLibrary; bundled: boolean }> {
  const { uses } = findLibraryUses(declarationFiles(tree, image.root), libraries);
  return libraries.flatMap((library) => {
    const of = uses.filter((use) => use.library === library.project);
    return of.length ? [{ library, bundled: of.some((use) => use.source === 'dockerfile-arg') }] : [];
  });
}

export interface ChosenBase {
  image: ImageProject;
  /** The base image's current version, which the service's FROM names. */
  version: string;
  /** The library of the service's language it bundles, if any. */
  library?: InternalLibrary;
}

/**
 * The base image a new service builds FROM: the one `requested` names (image,
 * project or directory name), else the only base image bundling a library of
 * the language. Throws, saying what to pass, when there is none or several.
 */
export function chooseBase(tree: Tree, workspace: TreeWorkspace, language: Language, requested?: string): ChosenBase {
  const candidates = workspace.images.map((image) => {
    const uses = libraryUsesOf(tree, image, workspace.libraries);
    return { image, uses, library: uses.find(({ library }) => packageNameOf(library, language) !== undefined)?.library };
  });
  // Base images: what other images build FROM, or what bundles a library through a Dockerfile ARG
  // (a new base image nothing builds on yet), each project by its primary image. Folder names
  // decide nothing; --base may name any image.
  const bases = candidates.filter(({ image, uses }) => image.key === '' && (workspace.baseImages.has(image.root) || uses.some((use) => use.bundled)));
  let chosen: (typeof bases)[number] | undefined;
  if (requested) {
    // An image or project name first; a directory name (images/sdk/amd64 → amd64) only when none has that name.
    const named = candidates.filter(({ image }) => image.imageName === requested || image.name === requested);
    const matches = named.length ? named : candidates.filter(({ image }) => image.root.split('/').pop() === requested);
    if (matches.length > 1) {
      const which = matches.map(({ image }) => `${image.imageName} in ${image.root}`).sort();
      throw new Error(`--base=${requested} names several images (${which.join(', ')}); pass the image name of the one to build FROM`);
    }
    chosen = matches[0];
    if (!chosen) {
      throw new Error(
        `--base=${requested}: no image has that name${bases.length ? ` (there are: ${bases.map(({ image }) => image.imageName).join(', ')})` : ''}; create it with nx g @imagewise/nx-plugin:base-image ${requested}`,
      );
    }
  } else {
    const ofLanguage = bases.filter((base) => base.library);
    if (ofLanguage.length !== 1) {
      throw new Error(
        ofLanguage.length === 0
          ? `no base image (an image others build FROM, or one whose Dockerfile bundles a library) bundles a ${language} library; create one with nx g @imagewise/nx-plugin:base-image <name> --language=${language}, or pass --base`
          : `several base images bundle a ${language} library (${ofLanguage
              .map(({ image }) => image.imageName)
              .sort()
              .join(', ')}); pass --base=<name>`,
      );
    }
    chosen = ofLanguage[0];
  }
  if (!chosen.image.version) {
    throw new Error(
      `${chosen.image.root}/package.json has no "version": a service builds FROM the base image's current version, so give it one (e.g. "1.0.0")`,
    );
  }
  return { image: chosen.image, version: chosen.image.version, library: chosen.library };
}
