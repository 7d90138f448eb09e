import { randomBytes } from 'node:crypto';
import type { ImageReference } from '../image-reference/reference';
import { DeleteRefusedError, type RegistryClient } from '../registry/registry-client';

const STAGING_PREFIX = 'imagewise-staging';

/**
 * The tag one publish pushes through before the content tag names it. The
 * Docker Engine pushes only under a tag; pushing takes long (layers), while
 * claiming the content tag afterwards is one quick read and write, which is
 * what keeps concurrent runners in agreement. Each publish has its own: two
 * builds of one repository on one engine sharing a tag would remove it under
 * each other's push.
 */
export function newStagingTag(): string {
  return `${STAGING_PREFIX}-${randomBytes(4).toString('hex')}`;
}

/** Whether a tag is a staging tag: a publish's own, or the one tag all publishes shared before (it may still be in a registry). */
export function isStagingTag(tag: string): boolean {
  return tag === STAGING_PREFIX || tag.startsWith(`${STAGING_PREFIX}-`);
}

const EMPTY_CONFIG = Buffer.from('{}');

/**
 * What the staging tag is moved to before it is removed: an empty OCI image
 * (the OCI empty config, no layers), the same bytes in every repository, that
 * no build ever makes. Its digest is named by staging tags alone.
 */
export const STAGING_PLACEHOLDER = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.empty.v1+json',
      digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      size: 2,
    },
    layers: [],
    annotations: { 'org.opencontainers.image.description': 'Imagewise staging placeholder: deleted right after each push' },
  }),
);

/**
 * Removes a staging tag from the repository without touching the image it named.
 * Distribution (2.8) has no tag delete (DELETE by tag answers 400
 * DIGEST_INVALID) and deletes by digest, with every tag on that digest: so the
 * tag is first pointed at the placeholder, whose digest it alone names, and
 * then that digest is deleted (with any other staging tag on it, which is on
 * its way out too). A runner that deletes a placeholder another one already
 * deleted gets 404, which is done too.
 *
 * Returns a note when the tag stays (the registry refuses deletes): it then
 * names the placeholder, a 2-byte image, and docker:prune removes it where
 * deletes are allowed.
 */
export async function clearStagingTag(registry: RegistryClient, reference: ImageReference, stagingTag: string): Promise<string | undefined> {
  try {
    await registry.putBlob(reference, EMPTY_CONFIG);
    const placeholder = await registry.putManifest(reference, stagingTag, STAGING_PLACEHOLDER, 'application/vnd.oci.image.manifest.v1+json');
    await registry.deleteManifest(reference, placeholder);
    return undefined;
  } catch (error) {
    const why = error instanceof DeleteRefusedError ? error.message : `it failed: ${(error as Error).message}`;
    return `the ${stagingTag} tag stays in ${reference.domain}/${reference.path} (naming an empty placeholder, not the image): ${why}`;
  }
}
