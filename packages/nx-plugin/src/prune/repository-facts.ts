import type { ImageReference } from '../image-reference/reference';
import type { RegistryClient } from '../registry/registry-client';
import type { ManifestFacts, RepositoryFacts } from './prune-plan';

interface ManifestJson {
  config?: { digest: string; size: number };
  layers?: Array<{ digest: string; size: number; urls?: string[] }>;
  manifests?: Array<{ digest: string; platform?: { os?: string; architecture?: string } }>;
}

/** How many registry requests run at once while facts are gathered. */
const CONCURRENCY = 8;

/**
 * What prune decides on, asked of the registry alone: every tag and the
 * digest it names now, each manifest those reach (an index's images too),
 * each image's blobs with their sizes, and its age from the image config's
 * `created` (for an index, its first real image's: not an attestation's).
 */
export async function gatherRepositoryFacts(registry: RegistryClient, reference: ImageReference, repository: string): Promise<RepositoryFacts> {
  const manifests: Record<string, ManifestFacts> = {};
  const loading = new Map<string, Promise<ManifestFacts | undefined>>();

  // Each digest is read once, however many tags or indexes name it.
  const load = (digest: string): Promise<ManifestFacts | undefined> => {
    let answer = loading.get(digest);
    if (!answer) {
      answer = readManifest(registry, reference, digest, load).then((facts) => (manifests[digest] = facts));
      loading.set(digest, answer);
    }
    return answer;
  };

  const tags: RepositoryFacts['tags'] = [];
  const named = await currentTagDigests(registry, reference);
  await inBatches([...named.values()], CONCURRENCY, async (digest) => void (await load(digest)));
  for (const [tag, digest] of named) tags.push({ tag, digest });
  return { repository, tags: tags.sort((a, b) => a.tag.localeCompare(b.tag)), manifests };
}

async function readManifest(
  registry: RegistryClient,
  reference: ImageReference,
  digest: string,
  load: (digest: string) => Promise<ManifestFacts | undefined>,
): Promise<ManifestFacts> {
  const { bytes } = await registry.getManifest(reference, digest);
  const json = JSON.parse(bytes.toString('utf8')) as ManifestJson;
  const facts: ManifestFacts = { digest, children: (json.manifests ?? []).map((m) => m.digest), blobs: {}, size: bytes.length };
  if (json.config) {
    facts.blobs[json.config.digest] = json.config.size;
    // A foreign layer (with urls) lives elsewhere: deleting never frees it here.
    for (const layer of json.layers ?? []) if (!layer.urls?.length) facts.blobs[layer.digest] = layer.size;
    facts.created = await createdOf(registry, reference, json.config.digest);
  } else if (json.manifests?.length) {
    const images = await Promise.all(facts.children.map(load));
    // BuildKit's attestations are platform unknown/unknown: the age is the first image's.
    const first = json.manifests.findIndex((m) => m.platform?.os !== 'unknown');
    facts.created = images[Math.max(first, 0)]?.created;
  }
  return facts;
}

/** The digest each tag names now: asked again right before deleting. */
export async function currentTagDigests(registry: RegistryClient, reference: ImageReference): Promise<Map<string, string>> {
  const now = new Map<string, string>();
  await inBatches(await registry.tags(reference), CONCURRENCY, async (tag) => {
    const digest = await registry.manifestDigest({ ...reference, tag, digest: undefined });
    if (digest) now.set(tag, digest);
  });
  return now;
}

async function createdOf(registry: RegistryClient, reference: ImageReference, configDigest: string): Promise<number | undefined> {
  try {
    const config = JSON.parse((await registry.getBlob(reference, configDigest)).toString('utf8')) as { created?: string };
    const created = config.created ? Date.parse(config.created) : NaN;
    return Number.isNaN(created) ? undefined : created;
  } catch (error) {
    // Not JSON (an artifact's config): its age is unknown, and prune keeps it.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
