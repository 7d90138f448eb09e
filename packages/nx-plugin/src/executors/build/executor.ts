import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { baseImageUses } from '../../build/base-images';
import { pinBases } from '../../build/exact-bases';
import { gitFacts } from '../../build/git';
import { libraryPacks } from '../../build/library-packs';
import { publishImage } from '../../build/publish';
import { exactReference, readImageMetadata, writeImageMetadata, type ImageMetadata } from '../../build/image-metadata';
import { contentTag, imageTags, runFactsFromEnv, type TagPolicy } from '../../build/tag-policy';
import { buildImage, daemonHasBuildKit } from '../../docker/build-image';
import { connectDocker } from '../../docker/docker-client';
import { parseImageReference } from '../../image-reference/reference';
import { normaliseOptions, pluginOptionsFromNxJson } from '../../plugins/options';
import { dockerfileOf, imageProjects, workspaceImagesOf } from '../../plugins/project-metadata';
import { readLockFile } from '../../lock/read-lock-file';
import { registryAuth } from '../../registry/credentials';
import { RegistryClient } from '../../registry/registry-client';

export interface BuildExecutorOptions {
  imageName?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: string;
  network?: string;
  builder?: 'buildkit' | 'classic';
  push?: boolean;
  tags?: TagPolicy;
  labels?: Record<string, string>;
}

/**
 * docker:build: the image's input hash (Nx's task hash, which folds in its
 * bases') is its content tag. If the registry holds that tag, nothing is built
 * or pulled: the other tags are added to the same manifest. Otherwise the image
 * is built on exactly the base images this run produced, pushed under the
 * content tag, then tagged.
 */
export default async function buildExecutor(options: BuildExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  return buildTask(options, context, (line) => console.log(line));
}

/** One image: build or reuse, then its metadata.json; failures are reported, never thrown. */
export async function buildTask(options: BuildExecutorOptions, context: ExecutorContext, log: (line: string) => void): Promise<{ success: boolean }> {
  const started = Date.now();
  try {
    const metadata = await buildOrReuse(options, context, log);
    metadata.buildSeconds = Math.round((Date.now() - started) / 100) / 10;
    writeImageMetadata(context.root, context.projectName!, metadata);
    return { success: true };
  } catch (error) {
    log((error as Error).message);
    return { success: false };
  }
}

async function buildOrReuse(options: BuildExecutorOptions, context: ExecutorContext, log: (line: string) => void): Promise<ImageMetadata> {
  const projectName = context.projectName!;
  const projects = Object.fromEntries(Object.entries(context.projectGraph.nodes).map(([name, node]) => [name, node.data]));
  const images = imageProjects(projects);
  const image = images.get(projectName);
  if (!image) throw new Error(`${projectName} has no Dockerfile that Imagewise reads; docker:build needs an image project`);
  const { project, metadata } = image;
  const dockerfile = dockerfileOf(project.root);

  const pluginOptions = normaliseOptions(pluginOptionsFromNxJson(context.nxJsonConfiguration));
  const registry = process.env.IMAGEWISE_REGISTRY || pluginOptions.registry;
  const repository = registry ? `${registry.replace(/\/+$/, '')}/${metadata.imageName}` : metadata.imageName;
  const inputHash = taskHash(context);
  const tag = contentTag(inputHash);
  const git = gitFacts(context.root);
  const facts = runFactsFromEnv(process.env, git, context.nxJsonConfiguration?.defaultBase ?? 'main');
  const tags = imageTags({ inputHash, version: metadata.version, policy: options.tags ?? {}, facts });
  const otherTags = tags.filter((t) => t !== tag);
  const push = registry !== undefined && options.push !== false;

  const registryClient = new RegistryClient({ credentials: (host) => registryAuth(host) });
  const reference = parseImageReference(`${repository}:${tag}`);

  // Exact bases: what this run's builds of the base images produced, whatever tag the FROM names.
  const dockerfileText = readFileSync(join(context.root, dockerfile), 'utf8');
  const buildArgs = { ...options.buildArgs };
  const uses = baseImageUses(
    dockerfileText,
    buildArgs,
    workspaceImagesOf(images),
    pluginOptions.registries,
  );
  const lock = readLockFile(context.root, project.root);
  const baseImages: Record<string, string> = {};
  const replacements = [];
  for (const use of uses) {
    if ('upstream' in use) {
      // Upstream images build at the digest the lock records, not wherever the tag points today.
      const digest = lock[use.upstream];
      if (!digest) continue;
      baseImages[use.raw] = `${use.upstream}@${digest}`;
    } else if ('pinned' in use) {
      // A published release: the image the registry holds for it, by digest.
      if (!registry) continue;
      baseImages[use.raw] = await releaseReference(registryClient, registry, images.get(use.pinned)!.metadata.imageName, use, dockerfile);
    } else {
      const base = readImageMetadata(context.root, use.project);
      if (!base) throw new Error(`${dockerfile}:${use.line}: base image ${use.project} has no build output; build it first (docker:build depends on ^docker:build)`);
      baseImages[use.raw] = exactReference(base, contentTag(base.inputHash));
    }
    replacements.push({ ...use, reference: baseImages[use.raw] });
  }

  if (!push) sayOncePerRun(log, 'no registry configured (plugin option "registry" or IMAGEWISE_REGISTRY): images are built locally only');

  // Content-addressed reuse: the registry is the cache, so a hit means the image is there.
  if (push) {
    const digest = await registryClient.manifestDigest(reference);
    if (digest) {
      await registryClient.retag(reference, tag, otherTags);
      log(`${repository}:${tag} is in the registry (${digest}): reused, nothing built or pulled; tagged ${otherTags.join(', ') || 'nothing else'}`);
      return { image: repository, digest, tags, inputHash, baseImages, reused: true, buildSeconds: 0 };
    }
  }
  const docker = await connectDocker();
  if (!push) {
    const local = await docker.getImage(`${repository}:${tag}`).inspect().catch(() => undefined);
    if (local) {
      for (const other of otherTags) await docker.getImage(local.Id).tag({ repo: repository, tag: other });
      log(`${repository}:${tag} exists locally: reused, nothing built`);
      return { image: repository, imageId: local.Id, tags, inputHash, baseImages, reused: true, buildSeconds: 0 };
    }
  }

  const builder = options.builder ?? ((await daemonHasBuildKit(docker)) ? 'buildkit' : 'classic');
  const imageId = await buildImage(docker, {
    contextDir: join(context.root, project.root),
    dockerfileText: pinBases(dockerfileText, replacements),
    dockerignoreText: readOptional(join(context.root, project.root, '.dockerignore')),
    stagedFiles: libraryPacks(context.root, context.projectGraph, projectName),
    tag: `${repository}:${tag}`,
    buildArgs: builder === 'buildkit' ? { BUILDKIT_INLINE_CACHE: '1', ...buildArgs } : buildArgs,
    labels: {
      'org.opencontainers.image.created': new Date().toISOString(),
      ...(git.sha ? { 'org.opencontainers.image.revision': git.sha } : {}),
      ...(git.remote ? { 'org.opencontainers.image.source': git.remote } : {}),
      'dev.imagewise.input-hash': inputHash,
      'dev.imagewise.base-images': JSON.stringify(baseImages),
      ...options.labels,
    },
    target: options.target,
    platform: options.platform,
    network: options.network,
    cacheFrom: push && builder === 'buildkit' ? [`${repository}:latest`] : [],
    builder,
    log,
  });

  if (!push) {
    for (const other of otherTags) await docker.getImage(imageId).tag({ repo: repository, tag: other });
    return { image: repository, imageId, tags, inputHash, baseImages, reused: false, buildSeconds: 0 };
  }
  const digest = await publishImage(docker, registryClient, repository, tag, otherTags, log);
  return { image: repository, digest, imageId, tags, inputHash, baseImages, reused: false, buildSeconds: 0 };
}

/** `<registry>/<image>@<digest>` of a pinned release; says what to do when the registry lacks it. */
async function releaseReference(
  client: RegistryClient,
  registry: string,
  imageName: string,
  use: { pin: string; raw: string; line: number },
  dockerfile: string,
): Promise<string> {
  const repository = `${registry.replace(/\/+$/, '')}/${imageName}`;
  if (use.pin.startsWith('sha256:')) return `${repository}@${use.pin}`;
  const digest = await client.manifestDigest(parseImageReference(`${repository}:${use.pin}`));
  if (!digest) {
    throw new Error(
      `${dockerfile}:${use.line}: ${use.raw} pins release ${use.pin} of ${imageName}, which ${registry} does not hold; ` +
        `publish that release (tools/build-images rebuilds pinned releases from their git tags) or follow the workspace version (nx sync)`,
    );
  }
  return `${repository}@${digest}`;
}

/** Nx's hash of this task: its inputs, and through ^ inputs, its bases'. */
function taskHash(context: ExecutorContext): string {
  const task = Object.values(context.taskGraph?.tasks ?? {}).find(
    (t) => t.target.project === context.projectName && t.target.target === context.targetName,
  );
  if (!task?.hash) throw new Error(`Nx gave no hash for ${context.projectName}:${context.targetName}; run it through nx (nx run, run-many or affected)`);
  return task.hash;
}

/**
 * Nx runs each task in a process of its own, forked from the one nx command:
 * a marker named after that parent (its PID and start time, since PIDs are
 * reused) makes a note appear once per command.
 */
function sayOncePerRun(log: (line: string) => void, line: string): void {
  const parent = `${process.ppid}-${processStartTime(process.ppid)}`;
  try {
    writeFileSync(join(tmpdir(), `imagewise-said-${parent}-${createHash('sha256').update(line).digest('hex').slice(0, 8)}`), '', { flag: 'wx' });
    log(line);
  } catch {
    // Already said in this run.
  }
}

function processStartTime(pid: number): string {
  try {
    // Field 22 of /proc/PID/stat, counted after the parenthesised command name.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
