import { buildImage } from '../docker/build-image';
import type { BuildSecrets } from '../docker/build-session';
import { engineGone } from '../docker/docker-client';
import { parseImageReference } from '../image-reference/reference';
import type { RegistryClient } from '../registry/registry-client';
import type { Engine } from './build-facts';
import type { BuildFacts, BuildPlan } from './build-plan';
import type { ImageMetadata } from './image-metadata';
import { localImageCandidate, publishImage } from './publish';
import { platformsCandidate, platformsOf, type PlatformEngines } from './publish-platforms';
import { contentTag } from './tag-policy';

/**
 * Does what the plan says, and only that; returns what docker:build records in
 * metadata.json. A build gets the values of the plan's secrets, read by the caller.
 * `platformEngines` takes the engine of each platform of a multi-platform build.
 */
export async function carryOutPlan(
  plan: BuildPlan,
  facts: BuildFacts,
  registry: RegistryClient,
  engine: Engine,
  platformEngines: PlatformEngines,
  log: (line: string) => void,
  secrets: BuildSecrets = new Map(),
): Promise<Omit<ImageMetadata, 'buildSeconds'>> {
  const { repository, identity, tags, baseImages } = facts;
  const tag = contentTag(identity);
  const recorded = { image: repository, tags, contentIdentity: identity, baseImages };

  if (plan.outcome === 'reuse-registry') {
    // By digest: what the content tag named when it was checked, and the manifest its blob check read already.
    await registry.ensureTags(parseImageReference(`${repository}:${tag}`), plan.digest, plan.otherTags);
    log(`${repository}:${tag} is in the registry (${plan.digest}): reused, nothing built or pulled; tagged ${plan.otherTags.join(', ') || 'nothing else'}`);
    const platforms = facts.build.platforms ? { platforms: await platformsOf(registry, repository, plan.digest) } : {};
    return { ...recorded, digest: plan.digest, reused: true, ...platforms };
  }

  const docker = await engine();
  if (plan.outcome === 'reuse-local') {
    for (const other of plan.otherTags) await docker.getImage(plan.imageId).tag({ repo: repository, tag: other });
    log(`${repository}:${tag} exists locally: reused, nothing built`);
    return { ...recorded, imageId: plan.imageId, reused: true };
  }

  if (plan.replaces) log(plan.replaces.reason);
  const replaced = plan.replaces ? { replaced: { digest: plan.replaces.digest, kind: plan.replaces.kind } } : {};
  try {
    if (plan.platforms) {
      const builtOn: Record<string, string> = {};
      const image = { ...plan.image, secrets, log };
      const candidate = platformsCandidate(platformEngines, registry, repository, image, plan.platforms, facts.dockerfile ?? 'Dockerfile', builtOn);
      const digest = await publishImage(registry, repository, tag, plan.otherTags, log, candidate, plan.replaces?.digest);
      // Read from the index the content tag names: another runner's, when it claimed the tag first.
      const platforms = await platformsOf(registry, repository, digest);
      return { ...recorded, digest, platforms, reused: false, ...replaced, ...(Object.keys(builtOn).length ? { platformEngines: builtOn } : {}) };
    }
    const imageId = await buildImage(docker, { ...plan.image, secrets, log });
    if (!plan.push) {
      for (const other of plan.otherTags) await docker.getImage(imageId).tag({ repo: repository, tag: other });
      return { ...recorded, imageId, reused: false };
    }
    const digest = await publishImage(registry, repository, tag, plan.otherTags, log, localImageCandidate(docker, repository, tag, log), plan.replaces?.digest);
    return { ...recorded, digest, imageId, reused: false, ...replaced };
  } catch (error) {
    throw engineGone(error);
  }
}
