import type Docker from 'dockerode';
import { pushImage } from '../docker/push-image';
import { parseImageReference } from '../image-reference/reference';
import { registryAuth } from '../registry/credentials';
import type { RegistryClient } from '../registry/registry-client';

/**
 * Puts a locally built image in the registry: the content tag first (a tag
 * appears only once its manifest is whole), then the other tags on that same
 * manifest. If another runner pushed the same content tag meanwhile, its image
 * is the one, so every runner ends with the same digest for the same inputs.
 */
export async function publishImage(
  docker: Docker,
  registry: RegistryClient,
  repository: string,
  contentTag: string,
  otherTags: string[],
  log: (line: string) => void,
): Promise<string> {
  const reference = parseImageReference(`${repository}:${contentTag}`);
  let digest = await registry.manifestDigest(reference);
  if (digest) log(`${repository}:${contentTag} is already in the registry (another runner?): using it`);
  else digest = await pushImage(docker, repository, contentTag, registryAuth(reference.domain), log);
  await registry.retag(reference, contentTag, otherTags);
  log(`pushed ${repository}:${contentTag} (${digest}); tagged ${otherTags.join(', ') || 'nothing else'}`);
  return digest;
}
