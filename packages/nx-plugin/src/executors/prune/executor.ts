import type { ExecutorContext } from 'nx/src/devkit-exports';
import { parseTagScheme } from '../../graph/tag-scheme';
import { parseImageReference, repositoryIn } from '../../image-reference/reference';
import { normaliseOptions, pluginOptionsFromNxJson } from '../../plugins/options';
import { imageProjectsOfGraph, workspaceImageEntries } from '../../plugins/project-metadata';
import { carryOutPrune, describePlan } from '../../prune/carry-out-prune';
import { deployedDigests } from '../../prune/deployment-manifests';
import { bytesText, parseAge, planPrune } from '../../prune/prune-plan';
import { gatherRepositoryFacts } from '../../prune/repository-facts';
import { registryAuth } from '../../registry/credentials';
import { RegistryClient } from '../../registry/registry-client';
import { selectImage } from '../selected-image';

export interface PruneExecutorOptions {
  /** The image's key (`worker` for `docker:build:worker`); default: the primary. */
  image?: string;
  olderThan?: string;
  keep?: number;
  protect?: string[];
  deploymentManifests?: string[];
  dryRun?: boolean;
}

/**
 * docker:prune: the image's repository in the registry, each tag kept or
 * removed and why (prune-plan.ts), then the deletes unless dryRun. Facts come
 * from the registry alone; `nx run-many -t docker:prune` prunes every project's
 * primary image (another with `--image=<key>`, as the README says).
 */
export default async function pruneExecutor(options: PruneExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const log = (line: string) => console.log(line);
  try {
    const { image, note } = selectImage(context, 'docker:prune', options.image);
    if (note) log(note);
    const registryName = process.env.IMAGEWISE_REGISTRY || normaliseOptions(pluginOptionsFromNxJson(context.nxJsonConfiguration)).registry;
    if (!registryName) throw new Error('no registry configured: set the plugin option "registry" in nx.json or IMAGEWISE_REGISTRY');
    const repository = repositoryIn(registryName, image.imageName);
    const olderThanMs = parseAge(options.olderThan ?? '14d');
    const keep = options.keep ?? 5;
    if (!Number.isInteger(keep) || keep < 0) throw new Error(`keep ${JSON.stringify(options.keep)} is not a whole number of images`);

    const deployed = await deployedDigests(options.deploymentManifests, context.root);
    log(
      deployed.read.length
        ? `protecting ${deployed.digests.size} digest(s) from ${deployed.read.join(', ')}`
        : 'no deployment manifest (dist/deploy/manifest.json absent, option deploymentManifests unset)',
    );
    const registry = new RegistryClient({ credentials: (host) => registryAuth(host) });
    const reference = parseImageReference(repository);
    const facts = await gatherRepositoryFacts(registry, reference, repository);
    // Variants share the repository: what protects their tags protects them here too.
    const schemes = [...workspaceImageEntries(imageProjectsOfGraph(context.projectGraph)).values()]
      .filter((other) => other.image.imageName === image.imageName)
      .map((other) => parseTagScheme(other.image.tagScheme));
    const plan = planPrune(facts, { olderThanMs, keep, protect: options.protect ?? [], deployed: deployed.digests, now: Date.now(), schemes });
    for (const line of describePlan(plan, options.dryRun === true)) log(line);
    if (options.dryRun || !plan.deletes.length) return { success: true };

    const outcome = await carryOutPrune(registry, reference, plan, log);
    log(`removed ${outcome.removedTags.length} tag(s) from ${repository}: ${outcome.removedTags.join(', ') || 'none'}`);
    log(
      outcome.reclaimableBytes === undefined
        ? 'some images were left (tagged meanwhile): run docker:prune with dryRun to see what the registry can reclaim'
        : `the registry can reclaim up to ${bytesText(outcome.reclaimableBytes)} (${outcome.reclaimableBytes} bytes) once its garbage collection runs`,
    );
    return { success: true };
  } catch (error) {
    // Nx's task header names the project; the messages that need it name it too.
    console.error((error as Error).message);
    return { success: false };
  }
}
