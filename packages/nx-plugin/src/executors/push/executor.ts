import type { ExecutorContext } from 'nx/src/devkit-exports';
import { readImageMetadata, writeImageMetadata } from '../../build/image-metadata';
import { localImageCandidate, publishImage } from '../../build/publish';
import { contentTag } from '../../build/tag-policy';
import { connectDocker } from '../../docker/docker-client';
import { repositoryIn } from '../../image-reference/reference';
import { normaliseOptions, pluginOptionsFromNxJson } from '../../plugins/options';
import { imageProjectOf, primaryOnlyNote } from '../../plugins/project-metadata';
import { registryAuth } from '../../registry/credentials';
import { RegistryClient } from '../../registry/registry-client';

/** docker:push: a local build (a laptop's) into the registry, tags and all. */
export default async function pushExecutor(_options: Record<string, never>, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName!;
  const built = readImageMetadata(context.root, project);
  const registry = process.env.IMAGEWISE_REGISTRY || normaliseOptions(pluginOptionsFromNxJson(context.nxJsonConfiguration)).registry;
  if (!built) {
    console.error(`${project} has no build output: run its docker:build first`);
    return { success: false };
  }
  if (!registry) {
    console.error('no registry configured: set the plugin option "registry" in nx.json or IMAGEWISE_REGISTRY');
    return { success: false };
  }
  if (built.platforms) {
    console.error(`${project} is a multi-platform image, which docker:build puts in the registry itself (${built.image}@${built.digest}): nothing to push`);
    return { success: false };
  }
  try {
    const image = imageProjectOf(context);
    if (!image) throw new Error(`${project} is not an image project: docker:push pushes what docker:build built`);
    const note = primaryOnlyNote('docker:push', project, image.metadata);
    if (note) console.log(note);
    const docker = await connectDocker();
    const tag = contentTag(built.contentIdentity);
    // The image name as the project has it (`acme/bruin-bridge`), namespace and all, under the registry.
    const repository = repositoryIn(registry, image.metadata.imageName);
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
    writeImageMetadata(context.root, project, { ...built, image: repository, digest });
    return { success: true };
  } catch (error) {
    console.error((error as Error).message);
    return { success: false };
  }
}
