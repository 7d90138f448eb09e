import { dirname, join } from 'node:path';
import { logger, writeJson, type GeneratorCallback, type Tree } from 'nx/src/devkit-exports';
import { addImageWorkspaces } from '../init/nx-json';
import { PACKS_DIR } from '../../build/library-packs';
import { parseImageReference } from '../../image-reference/reference';
import { argNameOf } from '../../library';
import { valid as validSemver } from '../../library/semver';
import { LOCK_FILE, formatLockFile } from '../../lock/lock-file';
import { chooseLibrary, packageNameOf, type Language } from '../shared/libraries';
import { formatFiles, generateFiles, installPackages } from '../shared/generator-tools';
import { checkImageName, projectTags } from '../shared/names';
import { npmTarballName, pythonWheelPattern } from '../shared/pack-names';
import { lockUpstream } from '../shared/upstream-lock';
import { imageParentDirectory, readTreeWorkspace, selectsDockerfile } from '../shared/workspace';

export interface BaseImageGeneratorSchema {
  name: string;
  language?: Language;
  /** Upstream image; default node:18-bookworm-slim / python:3.11-slim-bookworm. */
  from?: string;
  /** The internal library to bundle (project or package name); default the only one of the language. */
  library?: string;
  version?: string;
  /** Comma-separated extra project tags. */
  tags?: string;
  /** Parent folder; default: the one the workspace's other images of this kind share, else images/. */
  directory?: string;
  skipLock?: boolean;
  mirror?: string;
  skipFormat?: boolean;
  skipInstall?: boolean;
}

const DEFAULT_UPSTREAM: Record<Language, string> = {
  node: 'node:18-bookworm-slim',
  python: 'python:3.11-slim-bookworm',
};

/**
 * A base image under <directory>/<name> (images/ unless the workspace's base images share another folder): FROM an upstream image locked to its
 * current digest, bundling the internal library at its current version
 * (the Dockerfile ARG named after it), versioned in package.json.
 */
export default async function baseImageGenerator(tree: Tree, schema: BaseImageGeneratorSchema): Promise<GeneratorCallback | undefined> {
  const name = checkImageName(schema.name, 'base image');
  const language = schema.language ?? 'node';
  const workspace = readTreeWorkspace(tree);
  const root = join(imageParentDirectory(workspace, 'base', 'images', schema.directory), name);
  if (!selectsDockerfile(workspace, join(root, 'Dockerfile'))) {
    throw new Error(
      `${root}/Dockerfile would not be an image project: the plugin's "dockerfiles" globs (${workspace.options.dockerfiles.join(', ')}) do not select it; pass --directory under one of them, or widen the option in nx.json`,
    );
  }
  if (tree.exists(root)) throw new Error(`${root} already exists; choose another name or delete it first`);
  const claimed = workspace.images.find((image) => image.imageName === name);
  if (claimed) throw new Error(`image name "${name}" is already built by ${claimed.dockerfile}; choose another name`);

  const version = schema.version ?? '1.0.0';
  if (!validSemver(version)) throw new Error(`--version=${version} is not a semver version; write one such as 1.0.0`);
  const from = schema.from ?? DEFAULT_UPSTREAM[language];
  parseImageReference(from); // a bad --from fails here, naming the reference and why
  const library = chooseLibrary(workspace.libraries, language, schema.library);
  const libraryName = packageNameOf(library, language)!;
  const argName = argNameOf(library);
  const versionExpression = `\${${argName}}`;
  // Resolved before anything is written: an unreachable registry leaves no half-made image.
  const lock = schema.skipLock ? undefined : await lockUpstream(from, name, { mirror: schema.mirror });

  generateFiles(tree, join(__dirname, 'files', language), root, {
    dot: '.',
    name,
    from,
    libraryName,
    argName,
    libraryVersion: library.version,
    packsDir: PACKS_DIR,
    pack: language === 'node' ? npmTarballName(libraryName, versionExpression) : pythonWheelPattern(libraryName, versionExpression),
  });
  addImageWorkspaces(tree, [dirname(root)]);
  writeJson(tree, join(root, 'package.json'), {
    name,
    version,
    private: true,
    nx: { tags: projectTags(workspace.options.baseImageTag, language, schema.tags) },
  });
  if (lock) tree.write(join(root, LOCK_FILE), formatLockFile(lock));
  else logger.warn(`${root}: no ${LOCK_FILE} yet (--skipLock); run \`nx run ${name}:docker:lock\` before building`);

  if (!schema.skipFormat) await formatFiles(tree);
  return schema.skipInstall ? undefined : () => installPackages(tree);
}
