import type Docker from 'dockerode';
import { pushImage } from '../docker/push-image';
import { parseImageReference } from '../image-reference/reference';
import { registryAuth } from '../registry/credentials';
import type { RegistryClient } from '../registry/registry-client';
import { claimContentTag } from './claim-content-tag';
import { clearStagingTag, STAGING_TAG } from './staging-tag';

export { STAGING_TAG };

/**
 * Puts a locally built image in the registry: pushed whole under the staging
 * tag, then the content tag claimed for it (or for the image another runner
 * pushed with the same inputs meanwhile: that one is used), then the other
 * tags on the content tag's manifest. Every runner ends with the same digest
 * for the same inputs, and the staging tag is removed again (staging-tag.ts).
 */
export async function publishImage(
  docker: Docker,
  registry: RegistryClient,
  repository: string,
  contentTag: string,
  otherTags: string[],
  log: (line: string) => void,
  /** A digest the content tag names whose image cannot be pulled: replaced, never used. */
  broken?: string,
): Promise<string> {
  const reference = { ...parseImageReference(`${repository}:${contentTag}`), tag: contentTag };
  let digest = await registry.manifestDigest(reference);
  if (digest === broken) digest = undefined;
  if (digest) log(`${repository}:${contentTag} is already in the registry (another runner?): using it`);
  else {
    const local = docker.getImage(`${repository}:${contentTag}`);
    await local.tag({ repo: repository, tag: STAGING_TAG });
    let pushed = false;
    try {
      const candidate = await pushImage(docker, repository, STAGING_TAG, registryAuth(reference.domain), log);
      pushed = true;
      digest = await claimContentTag(registry, reference, candidate, { broken });
      if (digest !== candidate) log(`another runner pushed ${repository}:${contentTag} at the same time: using its ${digest}`);
    } finally {
      await docker
        .getImage(`${repository}:${STAGING_TAG}`)
        .remove({ noprune: true })
        .catch(() => undefined);
      // Only a push that worked stored a manifest under the staging tag; the
      // candidate is cleared once the content tag names it (or lost to another).
      const note = pushed ? await clearStagingTag(registry, reference) : undefined;
      if (note) log(note);
    }
  }
  await registry.retag(reference, digest, otherTags);
  log(`pushed ${repository}:${contentTag} (${digest}); tagged ${otherTags.join(', ') || 'nothing else'}`);
  return digest;
}
