import { dirname } from 'node:path';
import type { CreateNodesContextV2, CreateNodesResult, CreateNodesV2, ProjectGraphExternalNode, TargetConfiguration } from 'nx/src/devkit-exports';
import { Minimatch } from 'minimatch';
import type { DockerfileAnalysis } from '../dockerfile/analyse';
import { buildImageGraph, type ImageDependencies } from '../graph/image-graph';
import { readImageProject, type ImageProject, type ImageProjectFiles } from '../graph/image-project';
import { nameImageProjects } from '../graph/project-names';
import { formatProblem, type Problem } from '../graph/problems';
import { warn, warnProblems } from '../graph/report';
import { LOCK_FILE } from '../lock/lock-file';
import { readImageDirectories, type ImageDirectory } from './image-directory';
import { keyOfTexts, openGraphCache } from './graph-cache';
import { normaliseOptions, type ImagewisePluginOptions, type NormalisedOptions } from './options';
import type { ImageProjectMetadata, ImageStage } from './project-metadata';

/** Every Dockerfile is looked at; the `dockerfiles` option selects the image projects. */
export const createNodesV2: CreateNodesV2<ImagewisePluginOptions> = ['**/Dockerfile', createImageNodes];

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
  const selected = dockerfiles.filter((file) => globs.some((glob) => glob !== false && glob.test(file)));
  const directories = readImageDirectories(
    context.workspaceRoot,
    selected.map((dockerfile) => dirname(dockerfile)),
  );
  // What each project's own files say depends on nothing else: read it once per change of them.
  const cache = openGraphCache<ImageProject>('projects', context.workspaceRoot, rawOptions);
  const read = selected.map((dockerfile) => {
    const files = projectFiles(dockerfile, directories.get(dirname(dockerfile))!);
    const key = keyOfTexts([
      files.dockerfile,
      files.dockerfileText,
      files.dockerignoreText,
      files.projectJsonText,
      files.packageJsonText,
      files.lockText,
      JSON.stringify(files.unread),
    ]);
    return cache.get(key, () => readImageProject(files));
  });
  const projects = nameImageProjects(read);
  const graph = buildImageGraph(projects, { registries: options.registries });
  warnProblems(graph.problems);
  const dependencyInput = dependencyInputOf(context, projects.length > 0);

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
  const problemsByRoot = groupByRoot(graph.problems);
  return projects.map((project, index) => {
    const problems = problemsByRoot.get(project.root) ?? [];
    const result: CreateNodesResult = {
      projects: {
        [project.root]: imageProjectConfiguration(project, graph.dependencies.get(project.root)!, problems, options, dependencyInput, {
          hasLockFile: directories.get(project.root)!.files.has(LOCK_FILE),
          isBaseImage: graph.baseImages.has(project.root),
          tagScheme: graph.tagSchemes.get(project.root),
        }),
      },
    };
    // Upstream nodes ride on the first result; Nx merges external nodes by name.
    if (index === 0) result.externalNodes = externalNodes;
    return [project.dockerfile, result] as const;
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
  project: ImageProject,
  dependencies: ImageDependencies,
  problems: string[],
  options: NormalisedOptions,
  dependencyInput: string,
  { hasLockFile, isBaseImage, tagScheme }: { hasLockFile: boolean; isBaseImage: boolean; tagScheme?: string },
) {
  const metadata: ImageProjectMetadata = {
    imageName: project.imageName,
    ...(tagScheme !== undefined ? { tagScheme } : {}),
    ...(project.version !== undefined ? { version: project.version } : {}),
    stages: stagesOf(project.analysis),
    baseImages: [...new Set(dependencies.images.map((image) => image.root))],
    upstreamImages: [...new Set(dependencies.upstream.map((use) => use.node.slice('docker:'.length)))],
    pinnedImages: dependencies.pinned.map(({ root, pin, line }) => ({ root, pin, line })),
    ...(problems.length ? { problems } : {}),
  };
  return {
    ...(project.name ? { name: project.name } : {}),
    // An image is built and shipped, not imported by code. Saying so also
    // spares Nx its guess, which reads two tsconfig paths and the package.json
    // of every project.
    projectType: 'application' as const,
    // A kind the project's own files state (the generators write one) is not contradicted.
    tags: project.declared.tags?.some((tag) => tag === options.baseImageTag || tag === options.serviceTag)
      ? []
      : [isBaseImage ? options.baseImageTag : options.serviceTag],
    namedInputs: {
      // Exactly what reaches the image: the build context less .dockerignore, and the lock.
      // A copy: the project may come from the cache, and Nx may grow input arrays in place.
      dockerImage: [...project.contextInputs],
    },
    targets: imageTargets(dependencyInput, { lock: hasLockFile || metadata.upstreamImages.some((reference) => !reference.includes('@')) }),
    metadata: { technologies: ['docker'], imagewise: metadata },
  };
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
 * Not caching is Nx's default. docker:lock is inferred only where there is
 * something to lock: an upstream image named by tag, or a lock file to
 * refresh or empty.
 */
function imageTargets(dependencyInput: string, { lock }: { lock: boolean }): Record<string, TargetConfiguration> {
  return {
    'docker:build': {
      executor: '@imagewise/nx-plugin:build',
      // Bases first; and whatever makes the files a Dockerfile copies: the
      // project's own build, its libraries' packs. Nx skips targets a project lacks.
      dependsOn: ['^docker:build', 'build', '^pack'],
      // A base image's and the library's changes reach this image through `^`.
      // No npm package reaches an image through Nx: an explicit, empty list
      // keeps Nx from hashing every external dependency of the workspace.
      // Upstream images still count: they are the image's own graph nodes.
      inputs: ['dockerImage', dependencyInput, { externalDependencies: [] }],
      outputs: ['{workspaceRoot}/dist/images/{projectName}'],
      // The registry is the cache: a reuse must mean the image is there, so
      // Nx's own cache (which would restore metadata.json alone) stays off.
      cache: false,
    },
    'docker:push': { executor: '@imagewise/nx-plugin:push' },
    'docker:run': { executor: '@imagewise/nx-plugin:run', dependsOn: ['docker:build'] },
    'docker:drift': { executor: '@imagewise/nx-plugin:drift' },
    'docker:explain': { executor: '@imagewise/nx-plugin:explain' },
    'docker:prune': { executor: '@imagewise/nx-plugin:prune' },
    ...(lock ? { 'docker:lock': { executor: '@imagewise/nx-plugin:lock' } } : {}),
  };
}

function projectFiles(dockerfile: string, { files, problems }: ImageDirectory): ImageProjectFiles {
  return {
    dockerfile,
    dockerfileText: files.get('Dockerfile'),
    dockerignoreText: files.get('.dockerignore'),
    projectJsonText: files.get('project.json'),
    packageJsonText: files.get('package.json'),
    lockText: files.get(LOCK_FILE),
    unread: problems,
  };
}
