import type Docker from 'dockerode';
import { pushImage } from '../docker/push-image';
import { parseImageReference } from '../image-reference/reference';
import { registryAuth } from '../registry/credentials';
import type { RegistryClient } from '../registry/registry-client';
import { claimContentTag } from './claim-content-tag';
import { clearStagingTag, newStagingTag } from './staging-tag';

/** Pushes what the content tag is to name through `stagingTag` and resolves to its digest; calls `staged` once that tag holds anything. */
export type Candidate = (stagingTag: string, staged: () => void) => Promise<string>;

/**
 * Puts an image in the registry: the candidate pushed through the staging tag
 * (one image, or each platform's and then their index), then the content tag
 * claimed for it (or for the image another runner pushed with the same inputs
 * meanwhile: that one is used), then the other tags on the content tag's
 * manifest. Every runner ends with the same digest for the same inputs, and
 * the publish's own staging tag is removed again (staging-tag.ts).
 */
export async function publishImage(
  registry: RegistryClient,
  repository: string,
  contentTag: string,
  otherTags: string[],
  log: (line: string) => void,
  candidate: Candidate,
  /** A digest the content tag names whose image cannot be pulled: replaced, never used. */
  broken?: string,
): Promise<string> {
  const reference = { ...parseImageReference(`${repository}:${contentTag}`), tag: contentTag };
  let digest = await registry.manifestDigest(reference);
  if (digest === broken) digest = undefined;
  if (digest) log(`${repository}:${contentTag} is already in the registry (another runner?): using it`);
  else {
    const stagingTag = newStagingTag();
    let pushed = false;
    try {
      const pushedDigest = await candidate(stagingTag, () => (pushed = true));
      digest = await claimContentTag(registry, reference, pushedDigest, { broken });
      if (digest !== pushedDigest) log(`another runner pushed ${repository}:${contentTag} at the same time: using its ${digest}`);
    } finally {
      // Only a push that worked stored a manifest under the staging tag; the
      // candidate is cleared once the content tag names it (or lost to another).
      const note = pushed ? await clearStagingTag(registry, reference, stagingTag) : undefined;
      if (note) log(note);
    }
  }
  await registry.retag(reference, digest, otherTags);
  log(`pushed ${repository}:${contentTag} (${digest}); tagged ${otherTags.join(', ') || 'nothing else'}`);
  return digest;
}

/**
 * Pushes a local image (an ID or a name) under the staging tag and resolves
 * to the manifest digest the registry stored. The local staging tag is
 * removed again; the registry's is the caller's to clear (clearStagingTag).
 */
export async function pushStaged(
  docker: Docker,
  domain: string,
  repository: string,
  image: string,
  stagingTag: string,
  log: (line: string) => void,
): Promise<string> {
  await docker.getImage(image).tag({ repo: repository, tag: stagingTag });
  try {
    return await pushImage(docker, repository, stagingTag, registryAuth(domain), log);
  } finally {
    await docker
      .getImage(`${repository}:${stagingTag}`)
      .remove({ noprune: true })
      .catch(() => undefined);
  }
}

/** The candidate of a single-platform build: the local image under `repository:tag`, pushed. */
export function localImageCandidate(docker: Docker, repository: string, tag: string, log: (line: string) => void): Candidate {
  return async (stagingTag, staged) => {
    const digest = await pushStaged(docker, parseImageReference(`${repository}:${tag}`).domain, repository, `${repository}:${tag}`, stagingTag, log);
    staged();
    return digest;
  };
}
