import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { buildImage, type BuildImageOptions } from '../docker/build-image';
import { parseImageReference } from '../image-reference/reference';
import type { RegistryClient } from '../registry/registry-client';
import { emulationMissing, IMAGE_INDEX_TYPE, imageIndex, indexPlatforms, type PlatformManifest } from './platforms';
import { pushStaged, type Candidate } from './publish';

/** The engine that builds one platform, given back once that platform is pushed; `address`: the pool engine's. */
export interface PlatformEngine {
  docker: Docker;
  address?: string;
  release(): void;
}

/** Takes the engine for each platform of a build, when it starts (an image another runner pushed needs none). */
export type PlatformEngines = (platforms: string[]) => Promise<Record<string, PlatformEngine>>;

/**
 * The candidate of a multi-platform build: each platform built in turn on its
 * engine and pushed by digest (through the staging tag, which names only the
 * last one until the content tag is claimed), then their OCI image index PUT
 * by its digest. The platforms' manifests stay untagged: the index names them.
 * `builtOn` gets each platform's pool engine address as it is built.
 */
export function platformsCandidate(
  engines: PlatformEngines,
  registry: RegistryClient,
  repository: string,
  image: BuildImageOptions,
  platforms: string[],
  dockerfile: string,
  builtOn: Record<string, string>,
): Candidate {
  return async (stagingTag, staged) => {
    const reference = parseImageReference(image.tag);
    const manifests: PlatformManifest[] = [];
    const taken = await engines(platforms);
    try {
      for (const platform of platforms) {
        const { docker, address } = taken[platform];
        image.log(`building ${image.tag} for ${platform}${address ? ` on ${address}` : ''}`);
        const imageId = await buildImage(docker, { ...image, platform }).catch(async (error: Error) => {
          const version = await docker.version();
          throw new Error(emulationMissing(platform, { os: version.Os, architecture: version.Arch }, dockerfile, error.message) ?? error.message);
        });
        const digest = await pushStaged(docker, reference.domain, repository, imageId, stagingTag, image.log);
        staged();
        if (address) builtOn[platform] = address;
        const manifest = await registry.getManifest(reference, digest);
        manifests.push({ platform, digest, size: manifest.bytes.length, mediaType: manifest.mediaType });
        taken[platform].release();
      }
    } finally {
      // A failure leaves taken the engines of the platform that failed and of those after it.
      for (const platform of platforms.slice(manifests.length)) taken[platform].release();
    }
    const index = imageIndex(manifests);
    return registry.putManifest(reference, `sha256:${createHash('sha256').update(index).digest('hex')}`, index, IMAGE_INDEX_TYPE);
  };
}

/** Each platform's digest in the index the content tag names (another runner's, or a reuse). */
export async function platformsOf(registry: RegistryClient, repository: string, digest: string): Promise<Record<string, string>> {
  const manifest = await registry.getManifest(parseImageReference(repository), digest);
  return indexPlatforms(manifest.bytes) ?? {};
}
