import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logger, type ExecutorContext } from 'nx/src/devkit-exports';
import { parseImageReference } from '../../image-reference/reference';
import { LOCK_FILE, formatLockFile } from '../../lock/lock-file';
import { dockerfileOf, type ImageProjectMetadata } from '../../plugins/project-metadata';
import { RegistryClient } from '../../registry/registry-client';

export interface LockExecutorOptions {
  mirror?: string;
}

/**
 * Refreshes the project's lock file from the registry. The file is replaced
 * whole or not at all: an unreachable registry or a missing tag leaves the
 * previous lock in place.
 */
export default async function lockExecutor(options: LockExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectName = context.projectName!;
  const node = context.projectGraph.nodes[projectName];
  const metadata = (node?.data.metadata as { imagewise?: ImageProjectMetadata } | undefined)?.imagewise;
  if (!metadata) {
    logger.error(`${projectName} has no Dockerfile that Imagewise reads; docker:lock needs an image project`);
    return { success: false };
  }
  const dockerfile = dockerfileOf(node.data.root, metadata);
  const client = new RegistryClient({ dockerHubMirror: options.mirror ?? process.env.IMAGEWISE_MIRROR });
  // References written with @sha256 are locked by the Dockerfile itself.
  const references = metadata.upstreamImages.filter((reference) => !reference.includes('@')).sort();

  const upstream: Record<string, string> = {};
  for (const reference of references) {
    const parsed = parseImageReference(reference);
    let digest: string | undefined;
    try {
      digest = await client.manifestDigest(parsed);
    } catch (error) {
      logger.error(`${dockerfile}: could not resolve ${reference}: ${(error as Error).message}. The lock file is unchanged.`);
      return { success: false };
    }
    if (!digest) {
      logger.error(`${dockerfile}: ${reference} does not exist at ${client.registryHost(parsed)}. Push it or fix the FROM line; the lock file is unchanged.`);
      return { success: false };
    }
    upstream[reference] = digest;
    logger.info(`${reference} → ${digest}`);
  }

  const path = join(context.root, node.data.root, LOCK_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, formatLockFile({ upstream }));
  renameSync(temporary, path);
  logger.info(`wrote ${join(node.data.root, LOCK_FILE)} (${references.length} upstream image${references.length === 1 ? '' : 's'})`);
  return { success: true };
}
