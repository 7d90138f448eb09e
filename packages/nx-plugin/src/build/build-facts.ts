import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dockerignoreOf } from '../graph/dockerfile-names';
import type { ExecutorContext } from 'nx/src/devkit-exports';
import type Docker from 'dockerode';
import { daemonHasBuildKit } from '../docker/build-image';
import { analyseDockerfile } from '../dockerfile/analyse';
import { parseImageReference, repositoryIn } from '../image-reference/reference';
import { readLockFile } from '../lock/read-lock-file';
import { normaliseOptions, pluginOptionsFromNxJson } from '../plugins/options';
import { imageOfTarget, imageProjectsOfGraph, workspaceImageEntries, workspaceImagesOf } from '../plugins/project-metadata';
import { markedAsPin } from '../library/pins';
import { parseTagScheme } from '../graph/tag-scheme';
import { readGraphFile } from '../plugins/read-graph-file';
import type { RegistryClient } from '../registry/registry-client';
import type { RegistryConfig } from '../docker/build-session';
import { registryAuth, type RegistryAuth } from '../registry/credentials';
import { baseImageUses, pulledRegistryHosts } from './base-images';
import { listBuildContext } from './build-context';
import { checkSecretSources, secretIdentity, type SecretSources } from './build-secrets';
import type { BuildFacts } from './build-plan';
import { contentIdentity, type BaseIdentity, type BuildSettings } from './content-identity';
import { hashContext, hashStagedFiles, sha256 } from './context-hashes';
import { gitFacts, publicRemoteUrl } from './git';
import { exactReference, readImageMetadata } from './image-metadata';
import { libraryPacks } from './library-packs';
import { buildPlatforms, missingBasePlatforms } from './platforms';
import { parseMaxAge, staleness, type RegistryImage } from './staleness';
import { contentTag, imageTags, runFactsFromEnv, type TagPolicy } from './tag-policy';

export interface BuildExecutorOptions extends Partial<BuildSettings> {
  imageName?: string;
  push?: boolean;
  tags?: TagPolicy;
  /** Build secrets by id, each from an environment variable or a file; their values are read only when a build follows. */
  secrets?: SecretSources;
  /** Rebuild an image the registry holds once its config's `created` is older than this (`30d`); over the plugin option. */
  maxAge?: string;
}

/** The engine, connected on first use: a reuse from the registry never needs one. */
export type Engine = () => Promise<Docker>;

/**
 * Everything docker:build decides from, for one image: its content identity
 * (from the bases' identities this run's builds recorded, the context as Nx
 * hashed it, the staged packs and the options), its tags, and what the
 * registry or the engine already holds under its content tag.
 */
export async function gatherBuildFacts(
  options: BuildExecutorOptions,
  context: ExecutorContext,
  registryClient: RegistryClient,
  engine: Engine,
  credentials: (host: string) => RegistryAuth | undefined = (host) => registryAuth(host),
): Promise<BuildFacts> {
  const projectName = context.projectName!;
  const images = imageProjectsOfGraph(context.projectGraph);
  const image = images.get(projectName);
  if (!image) throw new Error(`${projectName} has no Dockerfile that Imagewise reads; docker:build needs an image project`);
  const { project, metadata } = image;
  const secrets = checkSecretSources(options.secrets);
  // The image this target builds: the project's only one, or the one of a `docker:build:<key>` target.
  const built = imageOfTarget(project.root, metadata, context.targetName);
  const dockerfile = built.dockerfile;
  const pluginOptions = normaliseOptions(pluginOptionsFromNxJson(context.nxJsonConfiguration));
  const registry = process.env.IMAGEWISE_REGISTRY || pluginOptions.registry;
  const repository = registry ? repositoryIn(registry, built.imageName) : built.imageName;
  const push = registry !== undefined && options.push !== false;
  // Each build may land on another engine: a base reaches its dependents only through the registry.
  if (pluginOptions.engines?.length && !push) {
    throw new Error(
      `the plugin option "engines" builds on several engines, which share images only through a registry: set the plugin option "registry" (or IMAGEWISE_REGISTRY)${options.push === false ? ' and leave push on' : ''}, or remove "engines"`,
    );
  }
  const platforms = buildPlatforms(options);
  const build: BuildSettings = {
    buildArgs: { ...options.buildArgs },
    target: options.target,
    platform: options.platform,
    ...(platforms ? { platforms } : {}),
    network: options.network,
    builder: options.builder,
    labels: options.labels,
  };

  // The bases: what this run's builds of workspace images produced, releases
  // as the registry holds them, upstream images at their locked digest.
  const dockerfileText = readProjectFile(context.root, dockerfile);
  const lock = readLockFile(context.root, project.root);
  const bases: Record<string, BaseIdentity> = {};
  const baseImages: Record<string, string> = {};
  const replacements = [];
  const analysis = analyseDockerfile(dockerfileText, build.buildArgs);
  const workspaceImages = workspaceImageEntries(images);
  const marked = (line: number) => markedAsPin(dockerfileText, line, false);
  for (const use of baseImageUses(analysis, workspaceImagesOf(images), pluginOptions.registries, marked)) {
    let reference: string | undefined;
    if ('upstream' in use) {
      const digest = lock[use.upstream];
      bases[use.raw] = { upstream: use.upstream, digest };
      if (digest) reference = `${use.upstream}@${digest}`;
    } else if ('pinned' in use) {
      const pinnedName = workspaceImages.get(use.pinned)!.image.imageName;
      if (registry) reference = await releaseReference(registryClient, registry, pinnedName, use, dockerfile);
      bases[use.raw] = { release: reference ?? `${pinnedName}:${use.pin}` };
    } else {
      // Each image of a project leaves its own metadata (dist/images/<project>[/<key>]).
      const { projectName: baseProject, image: baseImage } = workspaceImages.get(use.project)!;
      const base = readImageMetadata(context.root, baseProject, baseImage.key);
      if (!base?.contentIdentity)
        throw new Error(
          `${dockerfile}:${use.line}: base image ${baseImage.imageName} (${baseProject}:${baseImage.buildTarget}) has no build output from this version of Imagewise; build it first (nx run ${baseProject}:${baseImage.buildTarget})`,
        );
      // A multi-platform base is its index: BuildKit picks the platform being built from it.
      const missing = missingBasePlatforms(`${dockerfile}:${use.line}`, { project: use.project, platforms: base.platforms }, platforms);
      if (missing) throw new Error(missing);
      bases[use.raw] = { image: base.contentIdentity };
      reference = exactReference(base);
    }
    if (reference === undefined) continue;
    baseImages[use.raw] = reference;
    replacements.push({ ...use, reference });
  }

  // As BuildKit: `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's `.dockerignore`.
  const dockerignore = dockerignoreOf(basename(dockerfile), (file) => existsSync(join(context.root, project.root, file)));
  const contextEntries = listBuildContext(join(context.root, project.root), readOptional(context.root, join(project.root, dockerignore)));
  const stagedFiles = libraryPacks(context.root, context.projectGraph, projectName);
  const identity = contentIdentity({
    dockerfile: sha256(dockerfileText),
    context: hashContext(context.root, project.root, contextEntries),
    staged: hashStagedFiles(stagedFiles),
    build,
    bases,
    secrets: secretIdentity(secrets),
  });

  const git = gitFacts(context.root);
  const tags = imageTags({
    identity,
    version: metadata.version,
    scheme: parseTagScheme(built.tagScheme),
    policy: options.tags ?? {},
    facts: runFactsFromEnv(process.env, git, context.nxJsonConfiguration?.defaultBase ?? 'main'),
  });
  const tag = contentTag(identity);
  const reference = parseImageReference(`${repository}:${tag}`);
  const registryDigest = push ? await registryClient.manifestDigest(reference) : undefined;
  // A tag is only a reuse when its image can be pulled: every blob it names is there.
  const missingBlobs = registryDigest ? await registryClient.missingBlobs(reference, registryDigest) : [];
  const pullable = registryDigest !== undefined && missingBlobs.length === 0;
  // Under maxAge, the registry's image says how old it is and what it was built on (its config).
  const maxAge = parseMaxAge(options.maxAge ?? pluginOptions.maxAge);
  const now = Date.now();
  const registryImage = pullable && maxAge ? registryImageFacts(await registryClient.imageConfig(reference, registryDigest)) : undefined;
  const reused = pullable && !staleness({ maxAge, now, image: registryImage, baseImages });
  const localImageId = push ? undefined : await localImage(await engine(), `${repository}:${tag}`);
  const engineHasBuildKit = reused || localImageId || build.builder ? undefined : await daemonHasBuildKit(await engine());
  const registryCredentials = registryCredentialsFor(!reused && !localImageId, pulledRegistryHosts(analysis, baseImages), credentials);
  return {
    repository,
    identity,
    tags,
    push,
    registryDigest,
    missingBlobs,
    ...(maxAge ? { maxAge, now, registryImage } : {}),
    localImageId,
    engineHasBuildKit,
    build,
    dockerfile,
    dockerfileText,
    replacements,
    baseImages,
    contextDir: join(context.root, project.root),
    contextEntries,
    stagedFiles,
    registryCredentials,
    secrets,
    git: { sha: git.sha, remote: publicRemoteUrl(git.remote) },
  };
}

/**
 * Credentials for each registry host a build pulls from (its private bases),
 * as the plugin resolves them for its own registry calls (registryAuth: docker
 * config, credential helpers); hosts without any are left out. Nothing is
 * asked when no build follows.
 */
export function registryCredentialsFor(mayBuild: boolean, hosts: string[], credentials: (host: string) => RegistryAuth | undefined): RegistryConfig {
  if (!mayBuild) return {};
  const found: RegistryConfig = {};
  for (const host of hosts) {
    const auth = credentials(host);
    if (auth) found[host] = auth;
  }
  return found;
}

/** Of a config: its `created` and the bases its label says it was built on (unreadable label: unknown). */
export function registryImageFacts(config: { created?: string; labels: Record<string, string> }): RegistryImage {
  let baseImages: Record<string, string> | undefined;
  try {
    const label = config.labels['dev.imagewise.base-images'];
    baseImages = label ? (JSON.parse(label) as Record<string, string>) : undefined;
  } catch {
    baseImages = undefined;
  }
  return { created: config.created, ...(baseImages ? { baseImages } : {}) };
}

/** `<registry>/<image>@<digest>` of a pinned release; says what to do when the registry lacks it. */
async function releaseReference(
  client: RegistryClient,
  registry: string,
  imageName: string,
  use: { pin: string; raw: string; line: number },
  dockerfile: string,
): Promise<string> {
  const repository = repositoryIn(registry, imageName);
  if (use.pin.startsWith('sha256:')) return `${repository}@${use.pin}`;
  const digest = await client.manifestDigest(parseImageReference(`${repository}:${use.pin}`));
  if (!digest) {
    throw new Error(
      `${dockerfile}:${use.line}: ${use.raw} pins release ${use.pin} of ${imageName}, which ${registry} does not hold; ` +
        `publish that release (build ${imageName} from its release commit and push it) or follow the workspace version (nx sync)`,
    );
  }
  return `${repository}@${digest}`;
}

async function localImage(docker: Docker, reference: string): Promise<string | undefined> {
  const found = await docker
    .getImage(reference)
    .inspect()
    .catch(() => undefined);
  return found?.Id;
}

/** A file the build needs, read as the graph reads it: a FIFO or a huge file is an error naming it, not a hang. */
function readProjectFile(workspaceRoot: string, file: string): string {
  const read = readGraphFile(join(workspaceRoot, file), workspaceRoot);
  if ('problem' in read) throw new Error(`${file}: ${read.problem}`);
  return read.text;
}

function readOptional(workspaceRoot: string, file: string): string | undefined {
  return existsSync(join(workspaceRoot, file)) ? readProjectFile(workspaceRoot, file) : undefined;
}
