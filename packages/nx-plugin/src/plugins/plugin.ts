import { basename, dirname } from 'node:path/posix';
import type { CreateNodesContextV2, CreateNodesResult, CreateNodesV2, ProjectGraphExternalNode, TargetConfiguration } from 'nx/src/devkit-exports';
import { Minimatch } from 'minimatch';
import type { DockerfileAnalysis } from '../dockerfile/analyse';
import { buildImageGraph, type ImageDependencies } from '../graph/image-graph';
import { readImageProject, type ImageProject, type ImageProjectFiles } from '../graph/image-project';
import { BUILD_TARGET, DOCKERFILE_GLOB, dockerfilesByDirectory, imageOutputDir, imagesOfDirectory, type DirectoryImage } from '../graph/dockerfile-names';
import { nameImageProjects } from '../graph/project-names';
import { formatProblem, type Problem } from '../graph/problems';
import { warn, warnProblems } from '../graph/report';
import { LOCK_FILE } from '../lock/lock-file';
import { readImageDirectories, type ImageDirectory } from './image-directory';
import { keyOfTexts, openGraphCache } from './graph-cache';
import { normaliseOptions, type ImagewisePluginOptions, type NormalisedOptions } from './options';
import type { ImageProjectMetadata, ImageStage, ProjectImage } from './project-metadata';

/** Every Dockerfile is looked at; the `dockerfiles` option selects the images. */
export const createNodesV2: CreateNodesV2<ImagewisePluginOptions> = [DOCKERFILE_GLOB, createImageNodes];

/** Nx 22+ reads `createNodes` with the v2 signature; both names carry the same tuple. */
export const createNodes = createNodesV2;

function createImageNodes(
  dockerfiles: readonly string[],
  rawOptions: ImagewisePluginOptions | undefined,
  context: CreateNodesContextV2,
): Array<readonly [string, CreateNodesResult]> {
  const options = normaliseOptions(rawOptions);
  // Compiled to regular expressions: matching a Minimatch per file costs more at 1,000 images.
  const globs = options.dockerfiles.map((glob) => new Minimatch(glob).makeRe());
  const byRoot = dockerfilesByDirectory(dockerfiles.filter((file) => globs.some((glob) => glob !== false && glob.test(file))));
  const directories = readImageDirectories(context.workspaceRoot, [...byRoot.keys()]);
  // What each image's own files say depends on nothing else: read it once per change of them.
  const cache = openGraphCache<ImageProject>('projects', context.workspaceRoot, rawOptions);
  const layoutProblems: Problem[] = [];
  const read = [...byRoot].flatMap(([root, names]) => {
    const directory = directories.get(root)!;
    const layout = imagesOfDirectory(root, names, new Set(directory.files.keys()));
    layoutProblems.push(...layout.problems);
    return layout.images.map((image) => {
      const files = imageFiles(image, directory);
      const key = keyOfTexts([
        files.dockerfile,
        files.key!,
        files.buildTarget!,
        files.dockerignore!,
        files.dockerfileText,
        files.dockerignoreText,
        files.projectJsonText,
        files.packageJsonText,
        files.lockText,
        JSON.stringify(files.unread),
      ]);
      return cache.get(key, () => readImageProject(files));
    });
  });
  const images = nameImageProjects(read);
  const graph = buildImageGraph(images, { registries: options.registries });
  const problems = [...layoutProblems, ...graph.problems];
  warnProblems(problems);
  const dependencyInput = dependencyInputOf(context, images.length > 0);

  const externalNodes = Object.fromEntries(
    [...graph.upstreamNodes.values()].map((node): [string, ProjectGraphExternalNode] => [
      node.name,
      {
        type: 'docker',
        name: node.name as `docker:${string}`,
        // The digest is the node's content: a refreshed lock changes its hash.
        data: { packageName: node.reference, version: node.digest ?? 'unlocked', hash: node.digest ?? `unlocked:${node.reference}` },
      },
    ]),
  );
  const problemsByRoot = groupByRoot(problems);
  const imagesByRoot = new Map<string, ImageProject[]>();
  for (const image of images) imagesByRoot.set(image.root, [...(imagesByRoot.get(image.root) ?? []), image]);
  return [...imagesByRoot].map(([root, projectImages], index) => {
    const result: CreateNodesResult = {
      projects: {
        [root]: imageProjectConfiguration(projectImages, graph.dependencies, problemsByRoot.get(root) ?? [], options, dependencyInput, {
          hasLockFile: directories.get(root)!.files.has(LOCK_FILE),
          isBaseImage: graph.baseImages.has(root),
          tagSchemes: graph.tagSchemes,
        }),
      },
    };
    // Upstream nodes ride on the first result; Nx merges external nodes by name.
    if (index === 0) result.externalNodes = externalNodes;
    return [projectImages[0].dockerfile, result] as const;
  });
}

/** Each project's problems, formatted, in the order found: grouped once, as a workspace may have one per image. */
function groupByRoot(problems: Problem[]): Map<string, string[]> {
  const byRoot = new Map<string, string[]>();
  for (const problem of problems) {
    const root = dirname(problem.file);
    byRoot.set(root, [...(byRoot.get(root) ?? []), formatProblem(problem)]);
  }
  return byRoot;
}

function imageProjectConfiguration(
  images: ImageProject[],
  dependencies: Map<string, ImageDependencies>,
  problems: string[],
  options: NormalisedOptions,
  dependencyInput: string,
  { hasLockFile, isBaseImage, tagSchemes }: { hasLockFile: boolean; isBaseImage: boolean; tagSchemes: Map<string, string> },
) {
  // The primary image comes first (dockerfile-names.ts); the project's name, version and tags are the directory's.
  const [primary] = images;
  const found = images.map((image) => dependencies.get(image.dockerfile)!);
  const metadata: ImageProjectMetadata = {
    imageName: primary.imageName,
    dockerfile: primary.dockerfile,
    ...(tagSchemes.has(primary.dockerfile) ? { tagScheme: tagSchemes.get(primary.dockerfile) } : {}),
    ...(primary.version !== undefined ? { version: primary.version } : {}),
    stages: stagesOf(primary.analysis),
    // Edges to other projects, from any of its images.
    baseImages: [...new Set(found.flatMap((each) => each.images.map((image) => image.root)))].filter((root) => root !== primary.root),
    upstreamImages: [...new Set(found.flatMap((each) => each.upstream.map((use) => use.node.slice('docker:'.length))))],
    // A pin of another image than the primary names its Dockerfile, for docker:drift.
    pinnedImages: found.flatMap((each, i) =>
      each.pinned.map(({ root, pin, line }) => (i === 0 ? { root, pin, line } : { root, pin, line, dockerfile: images[i].dockerfile })),
    ),
    ...(images.length > 1
      ? {
          images: images.map(({ key, dockerfile, imageName, buildTarget }): ProjectImage => {
            const tagScheme = tagSchemes.get(dockerfile);
            return { key, dockerfile, imageName, buildTarget, ...(tagScheme !== undefined ? { tagScheme } : {}) };
          }),
        }
      : {}),
    ...(problems.length ? { problems } : {}),
  };
  return {
    ...(primary.name ? { name: primary.name } : {}),
    // An image is built and shipped, not imported by code. Saying so also
    // spares Nx its guess, which reads two tsconfig paths and the package.json
    // of every project.
    projectType: 'application' as const,
    // A kind the project's own files state (the generators write one) is not contradicted.
    tags: primary.declared.tags?.some((tag) => tag === options.baseImageTag || tag === options.serviceTag)
      ? []
      : [isBaseImage ? options.baseImageTag : options.serviceTag],
    namedInputs: {
      // Exactly what reaches the image: the build context less .dockerignore, and the lock.
      // A copy: the project may come from the cache, and Nx may grow input arrays in place.
      dockerImage: sharedInputs(images),
    },
    targets: {
      ...buildTargets(images, dependencies, dependencyInput),
      ...otherTargets({ lock: hasLockFile || metadata.upstreamImages.some((reference) => !reference.includes('@')) }),
    },
    metadata: { technologies: ['docker'], imagewise: metadata },
  };
}

/**
 * What reaches any of the project's images, for its dependents: a file one
 * image's ignore file leaves out may still reach another, so only exclusions
 * every image shares are kept.
 */
function sharedInputs(images: ImageProject[]): string[] {
  const [first, ...others] = images;
  return first.contextInputs.filter((input) => !input.startsWith('!') || others.every((image) => image.contextInputs.includes(input)));
}

/**
 * The input a build takes from its dependencies: `dockerImage`, which image
 * projects define exactly and nx.json defines for the rest (libraries: what
 * their package ships). Without it in nx.json, a dependency's whole project,
 * which is safe but rebuilds more.
 */
function dependencyInputOf(context: CreateNodesContextV2, hasImages: boolean): string {
  if (context.nxJsonConfiguration.namedInputs?.dockerImage) return '^dockerImage';
  if (hasImages) {
    warn(
      'nx.json defines no "dockerImage" named input: image builds take all files of their dependencies as inputs. Add "namedInputs": { "dockerImage": ["production"] } (or run the init generator) for exact affected builds.',
    );
  }
  return '^default';
}

/** Each stage's name and what its FROM names: the value after substitution, else as written. */
function stagesOf(analysis: DockerfileAnalysis): ImageStage[] {
  return analysis.stages.map((stage) => {
    const from = stage.from.value ?? stage.from.raw;
    return stage.name === undefined ? { from } : { name: stage.name, from };
  });
}

/**
 * Nx's cost of a cold project graph grows with every target and every key of
 * one (merged, normalised, source-mapped, sent to each plugin worker and
 * cached each time), so targets are their executors and what Nx needs to
 * order and hash them; `nx list @imagewise/nx-plugin` shows what each does.
 *
 * One image: `docker:build` builds it. Several: each builds in a target of its
 * own (`docker:build:worker`), after the images of the project it builds
 * FROM, and `docker:build` is the aggregate that waits for them all, so
 * `nx affected -t docker:build` and `^docker:build` cover every image and an
 * image built FROM the primary makes no cycle.
 */
function buildTargets(images: ImageProject[], dependencies: Map<string, ImageDependencies>, dependencyInput: string): Record<string, TargetConfiguration> {
  const targetOf = new Map(images.map((image) => [image.dockerfile, image.buildTarget]));
  const targets: Record<string, TargetConfiguration> = {};
  for (const image of images) {
    const ownBases = dependencies.get(image.dockerfile)!.images.flatMap((use) => targetOf.get(use.dockerfile) ?? []);
    const output =
      images.length === 1 ? '{workspaceRoot}/dist/images/{projectName}' : `{workspaceRoot}/${imageOutputDir('{projectName}', image.key)}/metadata.json`;
    targets[image.buildTarget] = {
      executor: '@imagewise/nx-plugin:build',
      // Bases first; and whatever makes the files a Dockerfile copies: the
      // project's own build, its libraries' packs. Nx skips targets a project lacks.
      dependsOn: ['^docker:build', 'build', '^pack', ...new Set(ownBases)],
      // A base image's and the library's changes reach this image through `^`.
      // No npm package reaches an image through Nx: an explicit, empty list
      // keeps Nx from hashing every external dependency of the workspace.
      // Upstream images still count: they are the image's own graph nodes.
      inputs: [...(images.length === 1 ? ['dockerImage'] : image.contextInputs), dependencyInput, { externalDependencies: [] }],
      outputs: [output],
      // The registry is the cache: a reuse must mean the image is there, so
      // Nx's own cache (which would restore metadata.json alone) stays off.
      cache: false,
    };
  }
  if (images.length > 1) targets[BUILD_TARGET] = { executor: 'nx:noop', dependsOn: images.map((image) => image.buildTarget) };
  return targets;
}

/** Not caching is Nx's default. docker:lock is inferred only where there is something to lock: an upstream image named by tag, or a lock file to refresh or empty. */
function otherTargets({ lock }: { lock: boolean }): Record<string, TargetConfiguration> {
  return {
    'docker:push': { executor: '@imagewise/nx-plugin:push' },
    'docker:run': { executor: '@imagewise/nx-plugin:run', dependsOn: ['docker:build'] },
    'docker:drift': { executor: '@imagewise/nx-plugin:drift' },
    'docker:explain': { executor: '@imagewise/nx-plugin:explain' },
    'docker:prune': { executor: '@imagewise/nx-plugin:prune' },
    ...(lock ? { 'docker:lock': { executor: '@imagewise/nx-plugin:lock' } } : {}),
  };
}

function imageFiles(image: DirectoryImage, { files, problems }: ImageDirectory): ImageProjectFiles {
  return {
    dockerfile: image.dockerfile,
    key: image.key,
    buildTarget: image.buildTarget,
    dockerignore: image.dockerignore,
    dockerfileText: files.get(basename(image.dockerfile)),
    dockerignoreText: files.get(image.dockerignore),
    projectJsonText: files.get('project.json'),
    packageJsonText: files.get('package.json'),
    lockText: files.get(LOCK_FILE),
    unread: problems,
  };
}
