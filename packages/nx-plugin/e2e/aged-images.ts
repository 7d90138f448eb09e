// Images of a given age in a real registry, for prune's tests: a built image's
// manifest put again under other tags with its config's `created` rewritten,
// through the Registry API. The layers are the built image's, so every aged
// image pulls; only the config (and so the digest) differs.
import { createHash } from 'node:crypto';
import { parseImageReference } from '../src/image-reference/reference';
import { RegistryClient } from '../src/registry/registry-client';

const DAY = 86_400_000;
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

interface ImageManifest {
  mediaType?: string;
  config: { digest: string; size: number };
  manifests?: Array<{ digest: string; size: number }>;
}

/** Puts `repository:fromTag`'s image, `daysOld` days old, under `tags`; returns the new digest. */
export async function ageImage(repository: string, fromTag: string, daysOld: number, tags: string[]): Promise<string> {
  const registry = new RegistryClient();
  const reference = parseImageReference(repository);
  const created = new Date(Date.now() - daysOld * DAY).toISOString();
  const top = await registry.getManifest(reference, fromTag);
  if (INDEX_TYPES.includes(top.mediaType)) {
    const index = JSON.parse(top.bytes.toString('utf8')) as { manifests: Array<{ digest: string; size: number }> };
    const child = await registry.getManifest(reference, index.manifests[0].digest);
    const aged = await agedImageManifest(registry, reference, child.bytes, created);
    const digest = await registry.putManifest(reference, `sha256:${sha(aged)}`, aged, child.mediaType);
    index.manifests[0] = { ...index.manifests[0], digest, size: aged.length };
    return putUnderTags(registry, reference, Buffer.from(JSON.stringify(index)), top.mediaType, tags);
  }
  return putUnderTags(registry, reference, await agedImageManifest(registry, reference, top.bytes, created), top.mediaType, tags);
}

async function agedImageManifest(registry: RegistryClient, reference: ReturnType<typeof parseImageReference>, bytes: Buffer, created: string): Promise<Buffer> {
  const manifest = JSON.parse(bytes.toString('utf8')) as ImageManifest;
  const config = JSON.parse((await registry.getBlob(reference, manifest.config.digest)).toString('utf8')) as { created?: string };
  const agedConfig = Buffer.from(JSON.stringify({ ...config, created }));
  manifest.config = { ...manifest.config, digest: await registry.putBlob(reference, agedConfig), size: agedConfig.length };
  return Buffer.from(JSON.stringify(manifest));
}

async function putUnderTags(
  registry: RegistryClient,
  reference: ReturnType<typeof parseImageReference>,
  bytes: Buffer,
  mediaType: string,
  tags: string[],
): Promise<string> {
  let digest = '';
  for (const tag of tags) digest = await registry.putManifest(reference, tag, bytes, mediaType);
  return digest;
}

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
