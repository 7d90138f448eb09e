import { formatImageReference, parseImageReference } from '../../image-reference/reference';
import type { ImageLock } from '../../lock/lock-file';
import { RegistryClient } from '../../registry/registry-client';

export interface LockOptions {
  /** Registry (host[:port]) that serves docker.io images; default $IMAGEWISE_MIRROR. */
  mirror?: string;
}

/**
 * The lock of a new image FROM `from`, resolved the way the docker:lock target
 * does: the registry's current digest of the tag, docker.io through the mirror.
 * A reference with a digest locks itself (empty lock). Throws, saying how to
 * go on, when the registry cannot answer.
 */
export async function lockUpstream(from: string, projectName: string, options: LockOptions = {}): Promise<ImageLock> {
  const parsed = parseImageReference(from);
  if (parsed.digest) return { upstream: {} };
  const client = new RegistryClient({ dockerHubMirror: options.mirror ?? process.env.IMAGEWISE_MIRROR, attempts: 2 });
  const reference = formatImageReference(parsed);
  const host = client.registryHost(parsed);
  let digest: string | undefined;
  try {
    digest = await client.manifestDigest(parsed);
  } catch (error) {
    throw new Error(
      `could not resolve ${reference} at ${host} for imagewise.lock.json (${(error as Error).message}). ` +
        'Make the registry reachable, or point docker.io at a mirror you can reach with ' +
        `--mirror=<host:port> (or IMAGEWISE_MIRROR); or pass --skipLock and run \`nx run ${projectName}:docker:lock\` later.`,
      { cause: error },
    );
  }
  if (!digest) {
    throw new Error(`${reference} does not exist at ${host}: check --from, or pass --skipLock and run \`nx run ${projectName}:docker:lock\` once it exists.`);
  }
  return { upstream: { [reference]: digest } };
}
