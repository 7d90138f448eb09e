import type { ImageReference } from '../image-reference/reference';

/** What claiming needs of a registry: read a tag, point tags at a manifest. */
export interface TagStore {
  manifestDigest(reference: ImageReference): Promise<string | undefined>;
  retag(reference: ImageReference, fromTagOrDigest: string, tags: string[]): Promise<string>;
}

export interface ClaimOptions {
  /** A digest the tag may name whose image cannot be pulled: overwritten as if the tag were absent. */
  broken?: string;
  /** Shortest wait before reading the tag back. */
  minSettleMs?: number;
  /** Read-backs before giving up on a tag that keeps moving. */
  rounds?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class ContentTagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContentTagError';
  }
}

/**
 * Points the content tag at a pushed candidate unless another runner's image
 * already holds it, and returns the digest the tag names once it has settled.
 *
 * A registry has no compare-and-set: two runners that built the same inputs at
 * once can both find the tag absent and both write it. Each write follows its
 * read by one request, so after a wait well beyond that (ten times this
 * runner's own read-and-write, at least `minSettleMs`) both writes have landed;
 * reading the tag back then gives every runner the same, last-written digest.
 * The candidate was pushed whole beforehand, so the tag never names a partial image.
 */
export async function claimContentTag(
  registry: TagStore,
  reference: ImageReference & { tag: string },
  candidate: string,
  options: ClaimOptions = {},
): Promise<string> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const rounds = options.rounds ?? 5;

  const started = now();
  let digest = await registry.manifestDigest(reference);
  if (!digest || digest === options.broken) digest = await registry.retag(reference, candidate, [reference.tag]);
  const settleMs = Math.max(options.minSettleMs ?? 250, 10 * (now() - started));

  for (let round = 0; round < rounds; round++) {
    await sleep(settleMs);
    const current = await registry.manifestDigest(reference);
    if (!current)
      throw new ContentTagError(
        `${reference.path}:${reference.tag} vanished from ${reference.domain} while it was being claimed (deleted meanwhile?); run the build again`,
      );
    if (current === digest) return digest;
    digest = current;
  }
  throw new ContentTagError(`${reference.path}:${reference.tag} on ${reference.domain} kept changing for ${rounds} reads; something keeps rewriting it`);
}
