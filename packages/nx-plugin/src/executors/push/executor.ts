import type { ExecutorContext } from 'nx/src/devkit-exports';
import { writeImageMetadata } from '../../build/image-metadata';
import { localImageCandidate, publishImage } from '../../build/publish';
import { contentTag } from '../../build/tag-policy';
import { connectDocker } from '../../docker/docker-client';
import { repositoryIn } from '../../image-reference/reference';
import { normaliseOptions, pluginOptionsFromNxJson } from '../../plugins/options';
import { registryAuth } from '../../registry/credentials';
import { RegistryClient } from '../../registry/registry-client';
import { buildOutputOf, selectImage } from '../selected-image';

export interface PushExecutorOptions {
  /** The image's key (`worker` for `docker:build:worker`); default: the primary. */
  image?: string;
}

/** docker:push: a local build (a laptop's) into the registry, tags and all. */
export default async function pushExecutor(options: PushExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName!;
  const registry = process.env.IMAGEWISE_REGISTRY || normaliseOptions(pluginOptionsFromNxJson(context.nxJsonConfiguration)).registry;
  try {
    const { image, note } = selectImage(context, 'docker:push', options.image);
    const built = buildOutputOf(context, image);
    if (!registry) throw new Error('no registry configured: set the plugin option "registry" in nx.json or IMAGEWISE_REGISTRY');
    if (built.platforms) {
      throw new Error(
        `${image.imageName} is a multi-platform image, which docker:build puts in the registry itself (${built.image}@${built.digest}): nothing to push`,
      );
    }
    if (note) console.log(note);
    const docker = await connectDocker();
    const tag = contentTag(built.contentIdentity);
    // The image name as the project has it (`acme/bruin-bridge`), namespace and all, under the registry.
    const repository = repositoryIn(registry, image.imageName);
    if (repository !== built.image) await docker.getImage(`${built.image}:${tag}`).tag({ repo: repository, tag });
    const client = new RegistryClient({ credentials: (host) => registryAuth(host) });
    const log = (line: string) => console.log(line);
    const digest = await publishImage(
      client,
      repository,
      tag,
      built.tags.filter((t) => t !== tag),
      log,
      localImageCandidate(docker, repository, tag, log),
    );
    writeImageMetadata(context.root, project, { ...built, image: repository, digest }, image.key);
    return { success: true };
  } catch (error) {
    console.error((error as Error).message);
    return { success: false };
  }
}
